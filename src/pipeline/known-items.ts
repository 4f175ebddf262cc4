import type { EntryFacts, EntryQuestion } from '../store/open-store.js'
import type { StoredItem } from '../types.js'

/** What the store already holds, so articles are fetched only once (the store itself answers). */
export interface KnownItems {
  findItem(keys: readonly string[]): Promise<StoredItem | undefined>
  isTombstoned(keys: readonly string[]): Promise<boolean>
  describeEntries(entries: readonly EntryQuestion[]): Promise<EntryFacts[]>
}
