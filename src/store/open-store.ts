import { openLowdbStore } from './lowdb/open-lowdb-store.js'
import type { OpenStoreOptions, Store } from './store.js'

export type { AcquireStoreLockOptions, LockOwner, StoreLock } from './store-lock.js'
export { acquireStoreLock, StoreLockedError } from './store-lock.js'
export type { ItemCounts, OpenStoreOptions, PrunedItem, PruneResult, RetentionOptions, Store, StoreRecord, UpsertResult } from './store.js'

/**
 * The one place a backend is chosen: the lowdb files at `options.path`, the embedded default.
 * @throws StoreError E_STORE_LOCKED, E_STORE_CORRUPT, E_STORE_VERSION or E_STORE_IO
 */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openLowdbStore(options)
}
