import { StoreError } from '../errors.js'
import { openLowdbStore } from './lowdb/open-lowdb-store.js'
import type { OpenStoreOptions, Store } from './store.js'

export type { LockOwner } from '../errors.js'
export { StoreLockedError } from '../errors.js'
export type { AcquireStoreLockOptions, StoreLock } from './store-lock.js'
export { acquireStoreLock } from './store-lock.js'
export type { EntryFacts, EntryQuestion, ItemCounts, OpenStoreOptions, PrunedItem, PruneResult, RetentionOptions, Store, StoreRecord, UpsertResult } from './store.js'

/**
 * The one place a backend is chosen: by the scheme of `options.url` when set (postgres:, the
 * PostgreSQL store), else the lowdb files at `options.path`, the embedded default.
 * @throws StoreError E_STORE_LOCKED, E_STORE_CORRUPT, E_STORE_VERSION, E_STORE_CONNECT or E_STORE_IO
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.url === undefined) return openLowdbStore(options)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(options.url)?.[1] ?? ''
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // Loaded only for it: a `feedloom run` on files does not pay for loading pg.
    const { openPostgresStore } = await import('./postgres/open-postgres-store.js')
    return openPostgresStore({ url: options.url, filter: options.filter, log: options.log, sourceOrder: options.sourceOrder })
  }
  throw new StoreError('E_STORE_IO', `store url ${options.url}: feedloom has no store backend for "${scheme}:" urls`)
}
