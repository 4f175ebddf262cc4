import type { PostgresSession } from './postgres-session.js'

/** Any 64-bit number of our own: the seed of the identities' advisory lock keys, apart from other locks on the server. */
const IDENTITY_LOCK_SEED = 7_460_816_911_204
/** Any 64-bit number of our own: the key every writer takes shared, and a transaction of too many identities alone. */
const WRITERS_LOCK_KEY = 7_460_816_911_202
/**
 * Identity locks one transaction takes at most. PostgreSQL keeps every lock in a table of fixed
 * size (max_locks_per_transaction per connection): a whole cycle's tens of thousands would not fit.
 */
const MAX_IDENTITY_LOCKS = 1000

/**
 * Holds every identity of the batch until the transaction ends, each an advisory lock taken in
 * ascending key order in one statement, after the writers' lock taken shared. Two writers of a
 * shared story then take its identities one after the other, and since every writer takes its
 * locks in the same order and before any row, no two wait for each other in a cycle; writers of
 * disjoint stories do not wait at all. A transaction that would hold more than MAX_IDENTITY_LOCKS
 * (a whole cycle's upsert) takes the writers' lock alone instead, waiting for the others to end.
 * Opens the handle's transaction: the locks last until it ends.
 */
export async function lockIdentities(session: PostgresSession, identities: readonly string[]): Promise<void> {
  await session.stage()
  const { connection, locks } = session
  const what = 'waiting for other writers of the same stories'
  if (locks.isSoleWriter) return
  if (locks.identities + identities.length > MAX_IDENTITY_LOCKS) {
    await connection.query(what, 'SELECT pg_advisory_xact_lock($1)', [WRITERS_LOCK_KEY])
    locks.isSoleWriter = true
    return
  }
  await connection.query(
    what,
    `SELECT count(CASE WHEN rank = 0 THEN pg_advisory_xact_lock_shared(key) ELSE pg_advisory_xact_lock(key) END) FROM (
       SELECT 0 AS rank, $3::bigint AS key WHERE $4
       UNION
       SELECT 1, hashtextextended(identity, $2) FROM unnest($1::text[]) AS wanted (identity)
       ORDER BY rank, key
     ) AS keys`,
    [identities, IDENTITY_LOCK_SEED, WRITERS_LOCK_KEY, locks.identities === 0],
  )
  locks.identities += identities.length
}
