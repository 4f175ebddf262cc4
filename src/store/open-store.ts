import type { NormalizedEntry, SourceState, StoredItem } from '../types.js'
import { type PruneResult, pruneItems, type RetentionOptions } from './prune-items.js'
import { sortItemsNewestFirst } from './sort-items.js'
import { readStoreContents, type StoreContents, toCanonicalSourceState, toStoreData } from './store-data.js'
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
    const read = readStoreContents(await file.read())
    // Clean only when the file is known to hold exactly what save() would write; else the first
    // save serializes and compares, as every save did before change tracking.
    const isClean = read.isCanonical && file.looksCanonical()
    return createStore(file, read.contents, read.sortedItems, isClean, lock)
  } catch (err) {
    await lock?.release()
    throw err
  }
}

function createStore(
  file: StoreFile,
  contents: StoreContents,
  initialSortedItems: StoredItem[] | undefined,
  isClean: boolean,
  lock: StoreLock | undefined,
): Store {
  let sortedItems = initialSortedItems
  // Saves run one after another, so a second save compares against what the first wrote.
  let lastSave: Promise<unknown> = Promise.resolve()
  // False only while the data is known to equal the file as last read or written: then save()
  // skips serializing (~1 s at 100k items). Any change through the maps below sets it. Items are
  // replaced, never mutated, and callers get copies of source states, so the maps see every change.
  let dirty = !isClean
  const markDirty = (): void => {
    dirty = true
  }
  trackChanges(contents.items, markDirty)
  trackChanges(contents.aliases, markDirty)
  trackChanges(contents.tombstones, markDirty)
  trackChanges(contents.sources, markDirty)
  trackChanges(contents.categorySlugs, markDirty)
  const currentItems = (): StoredItem[] => (sortedItems ??= sortItemsNewestFirst(contents.items.values()))
  return {
    items: currentItems,
    findItem: (keys) => findItem(contents, keys),
    isTombstoned: (keys) => keys.some((key) => contents.tombstones.has(key)),
    sourceState: (id) => structuredClone(contents.sources.get(id) ?? { consecutiveFailures: 0, itemsSeen: 0 }),
    hasSourceState: (id) => contents.sources.has(id),
    setSourceState(id, state) {
      const canonical = toCanonicalSourceState(state)
      const current = contents.sources.get(id)
      // Stored states are canonical, so equal states have equal JSON.
      if (current !== undefined && JSON.stringify(current) === JSON.stringify(canonical)) return
      contents.sources.set(id, canonical)
    },
    upsert(entries, now) {
      sortedItems = undefined
      return upsertEntries(contents, entries, now)
    },
    prune(options) {
      const result = pruneItems(contents, currentItems(), options)
      if (result.pruned > 0) sortedItems = undefined
      return result
    },
    save() {
      const saving = lastSave.then(async () => {
        if (!dirty) return false
        // Taken with the snapshot: a change made while this write runs marks the store dirty again.
        dirty = false
        try {
          return await file.write(toStoreData(contents, currentItems()))
        } catch (err) {
          dirty = true
          throw err
        }
      })
      lastSave = saving.catch(() => undefined)
      return saving
    },
    hasUnsavedChanges: () => dirty && !file.holds(toStoreData(contents, currentItems())),
    async close() {
      await lastSave
      await lock?.release()
    },
  }
}

/** Calls `onChange` whenever `map`'s data changes: a new key, a different value, a removal. */
function trackChanges<K, V>(map: Map<K, V>, onChange: () => void): void {
  const set = map.set.bind(map)
  const remove = map.delete.bind(map)
  const clear = map.clear.bind(map)
  map.set = (key, value) => {
    if (map.get(key) !== value || !map.has(key)) onChange()
    return set(key, value)
  }
  map.delete = (key) => {
    const removed = remove(key)
    if (removed) onChange()
    return removed
  }
  map.clear = () => {
    if (map.size > 0) onChange()
    clear()
  }
}
