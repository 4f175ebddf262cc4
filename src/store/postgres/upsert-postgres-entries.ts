import { StoreError } from '../../errors.js'
import type { NormalizedEntry, StoredItem } from '../../types.js'
import type { UpsertResult } from '../store.js'
import { listIdentities, type UpsertContents, upsertEntries } from '../upsert-entries.js'
import { ITEM_COLUMNS, ITEM_INSERT_COLUMNS, ITEM_INSERT_SELECT, ITEM_INSERT_VALUES, ITEM_UPDATE_VALUES, type ItemRow, toItemColumns, toStoredItem } from './item-rows.js'
import { lockIdentities } from './lock-identities.js'
import type { PostgresSession } from './postgres-session.js'

/** What the batch's identities lead to in the database, as read before merging. */
interface LoadedBatch {
  items: Map<string, StoredItem>
  revisions: Map<string, number>
  aliases: Map<string, string>
  tombstones: Map<string, string>
  categorySlugs: Map<string, string>
}

/** What merging the batch changed, to be written. */
interface BatchWrites {
  added: StoredItem[]
  changed: StoredItem[]
  identities: [identity: string, itemId: string][]
  categorySlugs: [slug: string, name: string][]
}

/**
 * How often a batch is merged again after another process wrote one of its items or identities
 * first. Each retry reads what that process committed, so a second one rarely happens.
 */
const MAX_ATTEMPTS = 5

/**
 * Upserts with the same merge rules as every store (upsertEntries), on only the rows the batch's
 * identities lead to. The rows are written under a savepoint, and unique constraints decide
 * identity: when another process inserted an item or identity first, or changed an item this batch
 * read, the batch is rolled back to the savepoint and merged again with what that process wrote.
 */
export async function upsertPostgresEntries(session: PostgresSession, entries: readonly NormalizedEntry[], now: Date): Promise<UpsertResult> {
  // A cycle where nothing arrived reads nothing.
  if (entries.length === 0) return { added: [], updated: [], merged: 0, mergedItems: [], unchanged: 0, skippedTombstoned: 0, changedCategories: new Set() }
  const identities = [...new Set(entries.flatMap(listIdentities))]
  await lockIdentities(session, identities)
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadBatch(session, identities)
    const contents: UpsertContents = {
      items: new Map(loaded.items),
      aliases: new Map(loaded.aliases),
      tombstones: loaded.tombstones,
      categorySlugs: new Map(loaded.categorySlugs),
    }
    const result = upsertEntries(contents, entries, now, session.filter.categoriesOf, session.sourceOrder)
    const writes = findWrites(loaded, contents)
    if (writes.added.length + writes.changed.length + writes.identities.length + writes.categorySlugs.length === 0) return result
    if (await applyWrites(session, loaded, writes)) {
      session.markChanged()
      return result
    }
    if (attempt === MAX_ATTEMPTS) {
      throw new StoreError(
        'E_STORE_CONFLICT',
        `upsert gave up in the PostgreSQL store ${session.connection.label}: other writers changed the same items ${MAX_ATTEMPTS} times in a row, or an item id is taken by an item that does not list its key`,
      )
    }
  }
}

async function loadBatch(session: PostgresSession, identities: string[]): Promise<LoadedBatch> {
  const { connection } = session
  const what = 'reading the items an upsert touches'
  const aliasRows = await connection.query<{ identity: string; item_id: string }>(
    what,
    // A join, not `= ANY`: with tens of thousands of identities the planner can then walk the index
    // in order instead of filtering every row of a big store.
    'SELECT identity, item_id FROM unnest($1::text[]) AS wanted (identity) JOIN item_identities USING (identity)',
    [identities],
  )
  const ids = [...new Set(aliasRows.map((row) => row.item_id))]
  const itemRows = ids.length === 0 ? [] : await connection.query<ItemRow>(what, `SELECT ${ITEM_COLUMNS} FROM unnest($1::text[]) AS wanted (id) JOIN items USING (id)`, [ids])
  const tombstoneRows = await connection.query<{ identity: string; pruned_at: string }>(
    what,
    `SELECT identity, pruned_at::text FROM unnest($1::text[]) AS wanted (identity) JOIN tombstones USING (identity)`,
    [identities],
  )
  const slugRows = await connection.query<{ slug: string; name: string }>(what, 'SELECT slug, name FROM category_slugs')
  return {
    items: new Map(itemRows.map((row) => [row.id, toStoredItem(row)])),
    revisions: new Map(itemRows.map((row) => [row.id, row.revision])),
    aliases: new Map(aliasRows.map((row) => [row.identity, row.item_id])),
    tombstones: new Map(tombstoneRows.map((row) => [row.identity, row.pruned_at])),
    categorySlugs: new Map(slugRows.map((row) => [row.slug, row.name])),
  }
}

/** upsertEntries replaces changed items with new objects, so a changed item is one that is not the object read. */
function findWrites(loaded: LoadedBatch, contents: UpsertContents): BatchWrites {
  const writes: BatchWrites = { added: [], changed: [], identities: [], categorySlugs: [] }
  for (const [id, item] of contents.items) {
    const before = loaded.items.get(id)
    if (before === undefined) writes.added.push(item)
    else if (before !== item) writes.changed.push(item)
  }
  for (const [identity, itemId] of contents.aliases) {
    if (!loaded.aliases.has(identity)) writes.identities.push([identity, itemId])
  }
  for (const [slug, name] of contents.categorySlugs) {
    if (!loaded.categorySlugs.has(slug)) writes.categorySlugs.push([slug, name])
  }
  return writes
}

/**
 * Writes in id order, table by table, so that two processes writing overlapping batches take row
 * locks in the same order and wait for each other instead of deadlocking.
 * @returns false when another writer got there first (everything this call wrote is undone)
 */
async function applyWrites(session: PostgresSession, loaded: LoadedBatch, writes: BatchWrites): Promise<boolean> {
  const { connection } = session
  const what = 'writing upserted items'
  const byId = (a: StoredItem, b: StoredItem): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const byKey = ([a]: [string, string], [b]: [string, string]): number => (a < b ? -1 : a > b ? 1 : 0)
  await connection.query(what, 'SAVEPOINT feedloom_upsert')
  try {
    const landed = await insertItems(session, writes.added.sort(byId))
      && await updateItems(session, writes.changed.sort(byId), loaded.revisions)
      && await insertPairs(session, 'item_identities (identity, item_id)', writes.identities.sort(byKey))
      && await insertPairs(session, 'category_slugs (slug, name)', writes.categorySlugs.sort(byKey))
    await connection.query(what, landed ? 'RELEASE SAVEPOINT feedloom_upsert' : 'ROLLBACK TO SAVEPOINT feedloom_upsert')
    return landed
  } catch (err) {
    await connection.query(what, 'ROLLBACK TO SAVEPOINT feedloom_upsert').catch(() => undefined)
    throw err
  }
}

async function insertItems(session: PostgresSession, items: StoredItem[]): Promise<boolean> {
  for (const chunk of chunksOf(items)) {
    const rows = await session.connection.query(
      'adding items',
      `INSERT INTO items (${ITEM_INSERT_COLUMNS}) SELECT ${ITEM_INSERT_SELECT} FROM ${ITEM_INSERT_VALUES} ORDER BY v.id
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      toItemColumns(chunk, session.filter),
    )
    if (rows.length < chunk.length) return false
  }
  return true
}

async function updateItems(
  session: PostgresSession,
  items: StoredItem[],
  revisions: Map<string, number>,
): Promise<boolean> {
  for (const chunk of chunksOf(items)) {
    const rows = await session.connection.query(
      'updating items',
      `UPDATE items AS i SET (${ITEM_INSERT_COLUMNS}, revision) = (${ITEM_INSERT_SELECT}, i.revision + 1)
       FROM ${ITEM_UPDATE_VALUES} WHERE i.id = v.id AND i.revision = v.revision RETURNING i.id`,
      [...toItemColumns(chunk, session.filter), chunk.map((item) => revisions.get(item.id))],
    )
    if (rows.length < chunk.length) return false
  }
  return true
}

/**
 * Items per statement: a cold cycle's thousands of new items, bodies and all, would otherwise be
 * one message of tens of megabytes, built whole in memory before it is sent.
 */
const ITEMS_PER_STATEMENT = 500

function chunksOf<T>(list: readonly T[]): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < list.length; start += ITEMS_PER_STATEMENT) chunks.push(list.slice(start, start + ITEMS_PER_STATEMENT))
  return chunks
}

async function insertPairs(session: PostgresSession, table: string, pairs: [string, string][]): Promise<boolean> {
  if (pairs.length === 0) return true
  const rows = await session.connection.query(
    `adding to ${table.split(' ')[0]}`,
    `INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING 1`,
    [pairs.map(([first]) => first), pairs.map(([, second]) => second)],
  )
  return rows.length === pairs.length
}
