import type { ItemFilter } from '../../types.js'
import type { PostgresConnection } from './connect-postgres.js'

/** What the parts of the PostgreSQL store share while a handle is open. */
export interface PostgresSession {
  readonly connection: PostgresConnection
  /** The filter the handle was opened with; one that publishes everything when none was given. */
  readonly filter: ItemFilter
  /** Whether reads must apply `filter` (a filter was given). */
  readonly isFiltered: boolean
  /** See OpenStoreOptions.sourceOrder. */
  readonly sourceOrder?: readonly string[]
  /** The writers' locks the open transaction holds (see upsertPostgresEntries); none when it opens. */
  readonly locks: { identities: number; isSoleWriter: boolean }
  /** Opens the transaction that stages this handle's changes until commit(), unless it is open. */
  stage(): Promise<void>
  /** Whether a transaction is open. */
  isStaging(): boolean
  /** Records that commit() will change what others see. */
  markChanged(): void
}

/** Publishes every item: what a store opened without a filter keeps as its items' verdict. */
