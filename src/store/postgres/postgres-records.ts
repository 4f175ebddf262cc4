import type { StoredItem } from '../../types.js'
import type { StoreRecord } from '../store.js'
import { ITEM_COLUMNS, ITEM_INSERT_COLUMNS, ITEM_INSERT_SELECT, ITEM_INSERT_VALUES, type ItemRow, toItemColumns, toStoredItem } from './item-rows.js'
import type { PostgresSession } from './postgres-session.js'

/** Rows read per statement while exporting: memory stays flat whatever the store holds. */
const EXPORT_BATCH_ROWS = 500

/** A tombstone's instant as the lowdb store writes it (toISOString). */
export const PRUNED_AT_ISO = `to_char(pruned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** Items (by id), tombstones (by identity) and category slugs, in batches, read page by page. */
export async function* exportPostgresRows(session: PostgresSession): AsyncGenerator<StoreRecord[]> {
  const { connection } = session
  const what = 'exporting the store'
  for (let after = ''; ; ) {
    const rows = await connection.query<ItemRow>(what, `SELECT ${ITEM_COLUMNS} FROM items WHERE id > $1 ORDER BY id LIMIT ${EXPORT_BATCH_ROWS}`, [after])
    if (rows.length === 0) break
    yield rows.map((row) => ({ kind: 'item', item: toStoredItem(row) }))
    after = rows[rows.length - 1]?.id ?? after
  }
  for (let after = ''; ; ) {
    const rows = await connection.query<{ identity: string; pruned_at: string }>(
      what,
      `SELECT identity, ${PRUNED_AT_ISO} AS pruned_at FROM tombstones WHERE identity > $1 ORDER BY identity LIMIT ${EXPORT_BATCH_ROWS * 10}`,
      [after],
    )
    if (rows.length === 0) break
    yield rows.map((row) => ({ kind: 'tombstone', identity: row.identity, prunedAt: row.pruned_at }))
    after = rows[rows.length - 1]?.identity ?? after
  }
  const slugs = await connection.query<{ slug: string; name: string }>(what, 'SELECT slug, name FROM category_slugs ORDER BY slug')
  if (slugs.length > 0) yield slugs.map((row) => ({ kind: 'category-slug', slug: row.slug, name: row.name }))
}

/**
 * Stages items, tombstones and category slugs from another store's export: an item with an id
 * already here is replaced; each alias goes to the first item that lists it, as in the lowdb store.
 */
export async function importPostgresRows(
  session: PostgresSession,
  items: readonly StoredItem[],
  tombstones: readonly { identity: string; prunedAt: string }[],
  categorySlugs: readonly { slug: string; name: string }[],
): Promise<void> {
  const { connection, filter } = session
  const what = 'importing records'
  if (items.length > 0) {
    const sorted = [...new Map(items.map((item) => [item.id, item])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const columns = ITEM_INSERT_COLUMNS.split(', ')
    await connection.query(
      what,
      `INSERT INTO items (${ITEM_INSERT_COLUMNS}) SELECT ${ITEM_INSERT_SELECT} FROM ${ITEM_INSERT_VALUES}
       ON CONFLICT (id) DO UPDATE SET ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}, revision = items.revision + 1`,
      toItemColumns(sorted, filter),
    )
    const identities = sorted.flatMap((item) => item.aliases.map((alias) => [alias, item.id] as const))
    await connection.query(
      what,
      'INSERT INTO item_identities (identity, item_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (identity) DO NOTHING',
      [identities.map(([alias]) => alias), identities.map(([, id]) => id)],
    )
  }
  if (tombstones.length > 0) {
    const unique = [...new Map(tombstones.map((tombstone) => [tombstone.identity, tombstone.prunedAt]))]
    await connection.query(
      what,
      `INSERT INTO tombstones (identity, pruned_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (identity) DO UPDATE SET pruned_at = excluded.pruned_at`,
      [unique.map(([identity]) => identity), unique.map(([, prunedAt]) => prunedAt)],
    )
  }
  if (categorySlugs.length > 0) {
    const unique = [...new Map(categorySlugs.map((slug) => [slug.slug, slug.name]))]
    await connection.query(
      what,
      `INSERT INTO category_slugs (slug, name) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (slug) DO UPDATE SET name = excluded.name`,
      [unique.map(([slug]) => slug), unique.map(([, name]) => name)],
    )
  }
}
