import { ITEM_COLUMNS, type ItemRow, toArrayLiteral, toStoredItem } from './item-rows.js'
import type { PostgresSession } from './postgres-session.js'

/** Items judged per statement: a bounded amount of bodies in memory at once. */
const BATCH_ITEMS = 500

/**
 * Gives every item a verdict and a membership list under the session's filter, reading only items judged under other
 * rules (none, unless the rules changed since they were stored). Staged like any change, so a dry
 * run leaves the stored verdicts as they were.
 */
export async function judgePostgresItems(session: PostgresSession): Promise<void> {
  const { connection, filter } = session
  const what = 'applying the filters to stored items'
  // `<` or `>`, not `<>`: two ranges of the fingerprint index, so an up-to-date store costs a lookup.
  const stale = `verdict_fingerprint < $1 OR verdict_fingerprint > $1`
  const [any] = await connection.query(what, `SELECT 1 FROM items WHERE ${stale} LIMIT 1`, [filter.fingerprint])
  if (any === undefined) return
  await session.stage()
  for (;;) {
    const rows = await connection.query<ItemRow>(what, `SELECT ${ITEM_COLUMNS} FROM items WHERE ${stale} LIMIT ${BATCH_ITEMS}`, [filter.fingerprint])
    if (rows.length === 0) return
    const items = rows.map(toStoredItem)
    await connection.query(
      what,
      `UPDATE items AS i SET verdict_fingerprint = $1, verdict = v.verdict, member_of = v.member_of::text[]
       FROM unnest($2::text[], $3::boolean[], $4::text[]) AS v (id, verdict, member_of) WHERE i.id = v.id`,
      [
        filter.fingerprint,
        items.map((item) => item.id),
        items.map((item) => filter.accepts(item)),
        items.map((item) => toArrayLiteral(filter.categoriesOf(item))),
      ],
    )
  }
}
