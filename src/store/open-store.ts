import type { NormalizedEntry, SourceState, StoredItem } from '../types.js'
import { type PruneResult, pruneItems, type RetentionOptions } from './prune-items.js'
import { sortItemsNewestFirst } from './sort-items.js'
import { type StoreContents, toCanonicalSourceState, toStoreContents, toStoreData } from './store-data.js'
import { createStoreFile, type StoreFile } from './store-file.js'
import { acquireStoreLock, type AcquireStoreLockOptions, type StoreLock } from './store-lock.js'
import { findItem, type UpsertResult, upsertEntries } from './upsert-entries.js'

export type { PruneResult, RetentionOptions, UpsertResult }
export type { AcquireStoreLockOptions, LockOwner, StoreLock } from './store-lock.js'
export { acquireStoreLock, StoreLockedError } from './store-lock.js'

export interface OpenStoreOptions {
  /** The store's JSON file; `<path>.lock` and `<path>.bak` sit beside it. */
  path: string
  /**
   * Hold `<path>.lock` until close(), so only one process writes: true, or how to take it (wait,
   * holder). Pass false for read-only uses, or when the caller already holds the lock. @default true
   */
  lock?: boolean | AcquireStoreLockOptions
}

export interface Store {
  /** All live items, newest published first, then by id. */
  items(): readonly StoredItem[]
  /** The live item known by any of `keys` (a key or an alias: `infocode:…`, `link:…`), tried in order. */
  findItem(keys: readonly string[]): StoredItem | undefined
  /** Whether any of `keys` belongs to a pruned item, which upsert will not bring back. */
  isTombstoned(keys: readonly string[]): boolean
  /** A copy of the source's state, or a fresh state for a source never seen. */
  sourceState(id: string): SourceState
  /** Whether the store has a state for this source (it was fetched at least once). */
  hasSourceState(id: string): boolean
  setSourceState(id: string, state: SourceState): void
  upsert(entries: readonly NormalizedEntry[], now: Date): UpsertResult
  prune(options: RetentionOptions): PruneResult
  /** One write when the data differs from the file, none otherwise. @returns true when it wrote */
  save(): Promise<boolean>
  /** Whether save() would write: the data differs from the file as last read or written. */
  hasUnsavedChanges(): boolean
  /** Waits for a pending save, then releases the lock. Does not save. */
  close(): Promise<void>
}

/**
 * Opens the store at `options.path`; a missing file is an empty store.
 * @throws StoreError E_STORE_LOCKED, E_STORE_CORRUPT, E_STORE_VERSION or E_STORE_IO
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const lock =
    options.lock === false
      ? undefined
      : await acquireStoreLock(options.path, options.lock === true || options.lock === undefined ? {} : options.lock)
  try {
    const file = createStoreFile(options.path)
    const contents = toStoreContents(await file.read())
    return createStore(file, contents, lock)
  } catch (err) {
    await lock?.release()
    throw err
  }
}

function createStore(file: StoreFile, contents: StoreContents, lock: StoreLock | undefined): Store {
  let sortedItems: StoredItem[] | undefined
  // Saves run one after another, so a second save compares against what the first wrote.
  let lastSave: Promise<unknown> = Promise.resolve()
  const currentItems = (): StoredItem[] => (sortedItems ??= sortItemsNewestFirst(contents.items.values()))
  return {
    items: currentItems,
    findItem: (keys) => findItem(contents, keys),
    isTombstoned: (keys) => keys.some((key) => contents.tombstones.has(key)),
    sourceState: (id) => structuredClone(contents.sources.get(id) ?? { consecutiveFailures: 0, itemsSeen: 0 }),
    hasSourceState: (id) => contents.sources.has(id),
    setSourceState(id, state) {
      contents.sources.set(id, toCanonicalSourceState(state))
    },
    upsert(entries, now) {
      sortedItems = undefined
      return upsertEntries(contents, entries, now)
    },
    prune(options) {
      const result = pruneItems(contents, currentItems(), options)
      sortedItems = undefined
      return result
    },
    save() {
      const saving = lastSave.then(() => file.write(toStoreData(contents, currentItems())))
      lastSave = saving.catch(() => undefined)
      return saving
    },
    hasUnsavedChanges: () => !file.holds(toStoreData(contents, currentItems())),
    async close() {
      await lastSave
      await lock?.release()
    },
  }
}
