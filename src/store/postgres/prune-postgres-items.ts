import { CAPS } from '../../caps.js'
import { listTombstoneIdentities } from '../prune-items.js'
import { DAY_MS } from '../retention-summary.js'
import type { PrunedItem, PruneResult, RetentionOptions } from '../store.js'
import { foldPostgresCounts } from './fold-postgres-counts.js'
import { lockIdentities } from './lock-identities.js'
import type { PostgresSession } from './postgres-session.js'

/**
 * Retention with the lowdb store's rules (newest maxItemsPerCategory per category, none older than
 * maxAgeDays, tombstones for every identity of a pruned item, at most CAPS.maxTombstones of them
 * and none older than CAPS.maxTombstoneAgeDays), found by index: when nothing is due, a few
 * lookups and no write.
 */
export async function prunePostgresItems(session: PostgresSession, options: RetentionOptions): Promise<PruneResult> {
  const { connection } = session
  const nowMs = options.now.getTime()
  const oldestKept = new Date(nowMs - options.maxAgeDays * DAY_MS).toISOString()
  const oldestTombstoneKept = new Date(nowMs - CAPS.maxTombstoneAgeDays * DAY_MS).toISOString()
  await foldPostgresCounts(session)
  const [due] = await connection.query<{ overfull: string[]; has_old: boolean; has_expired: boolean; has_too_many: boolean }>(
    'checking retention',
    `SELECT
       ARRAY(SELECT category FROM category_counts GROUP BY category HAVING sum(items) > $1 ORDER BY category) AS overfull,
       EXISTS (SELECT 1 FROM items WHERE published_at < $2) AS has_old,
       EXISTS (SELECT 1 FROM tombstones WHERE pruned_at < $3) AS has_expired,
       EXISTS (SELECT 1 FROM tombstones OFFSET $4) AS has_too_many`,
    [options.maxItemsPerCategory, oldestKept, oldestTombstoneKept, CAPS.maxTombstones],
  )
  const result: PruneResult = { pruned: 0, prunedItems: [], changedCategories: new Set() }
  if (due === undefined || (due.overfull.length === 0 && !due.has_old && !due.has_expired && !due.has_too_many)) return result
  await session.stage()
  // Old items sort after every younger one, so "past the limit" and "too old" together are the
  // lowdb rule, where only kept items count towards the limit.
  const doomed = await connection.query<PrunedItem & { aliases: string[]; member_of: string[] }>(
    'finding items to prune',
    `SELECT id, key, published, category, fields->'aliases' AS aliases, member_of FROM (
       SELECT id, key, published, published_at, category, fields, member_of FROM items WHERE published_at < $2
       UNION
       SELECT id, key, published, published_at, category, fields, member_of FROM (
         SELECT *, row_number() OVER (PARTITION BY category ORDER BY published_at DESC, id) AS rank
         FROM items WHERE category = ANY($3::text[])
       ) AS ranked WHERE rank > $1
     ) AS doomed ORDER BY published_at DESC, id`,
    [options.maxItemsPerCategory, oldestKept, due.overfull],
  )
  if (doomed.length > 0) {
    // As a writer of these items: a worker merging into one of them waits for the prune, or the
    // prune for it; the tombstones are then those of the items as deleted, aliases it added included.
    await lockIdentities(session, [...new Set(doomed.flatMap((item) => listTombstoneIdentities(item)))])
    const deleted = await connection.query<{ id: string; key: string; aliases: string[] }>(
      'removing pruned items',
      `DELETE FROM items WHERE id = ANY($1::text[]) RETURNING id, key, fields->'aliases' AS aliases`,
      [doomed.map((item) => item.id)],
    )
    const identities = [...new Set(deleted.flatMap((item) => listTombstoneIdentities(item)))].sort()
    await connection.query(
      'recording tombstones',
      `INSERT INTO tombstones (identity, pruned_at) SELECT unnest($1::text[]), $2
       ON CONFLICT (identity) DO UPDATE SET pruned_at = excluded.pruned_at`,
      [identities, options.now.toISOString()],
    )
    const gone = new Set(deleted.map((item) => item.id))
    const pruned = doomed.filter((item) => gone.has(item.id))
    result.pruned = pruned.length
    result.prunedItems = pruned.map(({ id, key, published, category }) => ({ id, key, published, category }))
    result.changedCategories = new Set(pruned.flatMap((item) => (session.isFiltered ? item.member_of : [item.category])))
  }
  const [expired] = await connection.query<{ count: number }>(
    'forgetting old tombstones',
    'WITH gone AS (DELETE FROM tombstones WHERE pruned_at < $1 RETURNING 1) SELECT count(*)::integer AS count FROM gone',
    [oldestTombstoneKept],
  )
  // The oldest go first; among those of one prune, the first identities in code-unit order, as in
  // the lowdb store.
  const [surplus] = await connection.query<{ count: number }>(
    'forgetting the oldest tombstones',
    `WITH gone AS (
       DELETE FROM tombstones WHERE identity IN (
         SELECT identity FROM tombstones ORDER BY pruned_at, identity
         LIMIT greatest((SELECT count(*) FROM tombstones) - $1, 0)
       ) RETURNING 1
     ) SELECT count(*)::integer AS count FROM gone`,
    [CAPS.maxTombstones],
  )
  if (result.pruned > 0 || (expired?.count ?? 0) > 0 || (surplus?.count ?? 0) > 0) session.markChanged()
  return result
}

