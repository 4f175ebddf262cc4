import type { PostgresSession } from './postgres-session.js'

/** Rows of changes a count table may gather before retention folds them. */
const MAX_UNFOLDED_ROWS = 1000

/**
 * Folds each count table's rows of changes (one per write and category) into one row per
 * category, once a table has gathered more than MAX_UNFOLDED_ROWS, so that reading the counts
 * stays a sum of a few rows. Writers only insert such rows and never wait on the ones folded here;
 * two folds at once each fold the rows the other did not take.
 * @returns whether it folded (staged in the handle's transaction; what readers see is unchanged)
 */
export async function foldPostgresCounts(session: PostgresSession): Promise<boolean> {
  const { connection } = session
  const what = 'folding the item counts'
  const [due] = await connection.query<{ due: boolean }>(
    what,
    `SELECT EXISTS (SELECT 1 FROM category_counts OFFSET $1) OR EXISTS (SELECT 1 FROM membership_counts OFFSET $1)
       OR EXISTS (SELECT 1 FROM item_totals OFFSET $1) AS due`,
    [MAX_UNFOLDED_ROWS],
  )
  if (due?.due !== true) return false
  await session.stage()
  for (const table of ['category_counts', 'membership_counts']) {
    await connection.query(
      what,
      `WITH gone AS (DELETE FROM ${table} RETURNING category, items, published)
       INSERT INTO ${table} (category, items, published)
         SELECT category, sum(items), sum(published) FROM gone GROUP BY category HAVING sum(items) <> 0 OR sum(published) <> 0`,
    )
  }
  await connection.query(
    what,
    `WITH gone AS (DELETE FROM item_totals RETURNING items, published)
     INSERT INTO item_totals (items, published) SELECT coalesce(sum(items), 0), coalesce(sum(published), 0) FROM gone`,
  )
  return true
}
