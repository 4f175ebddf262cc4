import type { NormalizedEntry, PublishRecord, SourceState, StoredItem } from '../types.js'
import { type PruneResult, pruneItems, type RetentionOptions } from './prune-items.js'
import { isPruneDue, type RetentionSummary } from './retention-summary.js'
import { sortItemsNewestFirst } from './sort-items.js'
import {
  type ReadStoreContents,
  readStoreContents,
  type StoreContents,
  toCanonicalPublishRecord,
  toCanonicalSourceState,
  toStoreData,
} from './store-data.js'
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
  /**
   * 'lazy' reads only the file's head (source states, retention summary) now, and the items on
   * loadItems(): a cycle where no source brings anything new never reads them. Until then, what
   * needs items throws. Files without a head are read whole either way. @default 'eager'
   */
  items?: 'eager' | 'lazy'
}

export interface Store {
  /** Reads the items if they are not in memory yet (opened lazily); then resolves at once. */
  loadItems(): Promise<void>
  /** Whether the items are in memory: always, unless opened lazily and not loaded yet. */
  itemsLoaded(): boolean
  /** False only when prune() would certainly change nothing, which the head tells while the items are not loaded. */
  isPruneDue(options: RetentionOptions): boolean
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
  /** A copy of what publishing recorded (posts it wrote, outputs to write again). */
  publishRecord(): PublishRecord
  setPublishRecord(record: PublishRecord): void
  /** Needs the items unless `entries` is empty. */
  upsert(entries: readonly NormalizedEntry[], now: Date): UpsertResult
  /** Needs the items when isPruneDue(). */
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
    const head = options.items === 'lazy' ? await file.readHead() : undefined
    if (head !== undefined) return createStore(file, { kind: 'head', ...head }, lock)
    return createStore(file, { kind: 'whole', read: readStoreContents(await file.read()) }, lock)
  } catch (err) {
    await lock?.release()
    throw err
  }
}

/** What openStore read: the whole file, or only its head (the items are read on demand). */
type InitialRead =
  | { kind: 'whole'; read: ReadStoreContents }
  | { kind: 'head'; sources: Map<string, SourceState>; retention: RetentionSummary; publish: PublishRecord }

function createStore(file: StoreFile, initial: InitialRead, lock: StoreLock | undefined): Store {
  // Saves run one after another, so a second save compares against what the first wrote.
  let lastSave: Promise<unknown> = Promise.resolve()
  // False only while the data is known to equal the file as last read or written: then save()
  // skips serializing (~1 s at 100k items). Any change through the maps below sets it. Items are
  // replaced, never mutated, and callers get copies of source states, so the maps see every change.
  let dirty = false
  const markDirty = (): void => {
    dirty = true
  }
  const sources = initial.kind === 'head' ? initial.sources : initial.read.contents.sources
  trackChanges(sources, markDirty)
  let publish = initial.kind === 'head' ? initial.publish : initial.read.contents.publish
  let contents: StoreContents | undefined
  let sortedItems: StoredItem[] | undefined
  let loading: Promise<void> | undefined
  const adopt = (read: ReadStoreContents): void => {
    contents = { ...read.contents, sources, publish }
    sortedItems = read.sortedItems
    // Clean only when the file is known to hold exactly what save() would write; else the first
    // save serializes and compares, as every save did before change tracking.
    if (!(read.isCanonical && file.looksCanonical())) dirty = true
    trackChanges(contents.items, markDirty)
    trackChanges(contents.tombstones, markDirty)
    trackChanges(contents.categorySlugs, markDirty)
  }
  if (initial.kind === 'whole') adopt(initial.read)
  const loadItems = (): Promise<void> => {
    if (contents !== undefined) return Promise.resolve()
    // The lock is held (or the caller accepts a racing writer), so the rest of the file is the
    // one the head came from; source states already changed in memory are kept.
    loading ??= file.read().then((data) => adopt(readStoreContents(data)))
    return loading
  }
  const loaded = (): StoreContents => {
    if (contents === undefined) throw new Error('store items are not loaded: await loadItems() first')
    return contents
  }
  const currentItems = (): StoredItem[] => (sortedItems ??= sortItemsNewestFirst(loaded().items.values()))
  const retentionOnDisk = initial.kind === 'head' ? initial.retention : undefined
  const isDue = (options: RetentionOptions): boolean =>
    contents === undefined && retentionOnDisk !== undefined ? isPruneDue(retentionOnDisk, options) : true
  return {
    loadItems,
    itemsLoaded: () => contents !== undefined,
    isPruneDue: isDue,
    items: currentItems,
    findItem: (keys) => findItem(loaded(), keys),
    isTombstoned: (keys) => keys.some((key) => loaded().tombstones.has(key)),
    sourceState: (id) => structuredClone(sources.get(id) ?? { consecutiveFailures: 0, itemsSeen: 0 }),
    hasSourceState: (id) => sources.has(id),
    setSourceState(id, state) {
      const canonical = toCanonicalSourceState(state)
      const current = sources.get(id)
      // Stored states are canonical, so equal states have equal JSON.
      if (current !== undefined && JSON.stringify(current) === JSON.stringify(canonical)) return
      sources.set(id, canonical)
    },
    publishRecord: () => structuredClone(publish),
    setPublishRecord(record) {
      const canonical = toCanonicalPublishRecord(record)
      if (JSON.stringify(canonical) === JSON.stringify(publish)) return
      publish = canonical
      if (contents !== undefined) contents.publish = canonical
      markDirty()
    },
    upsert(entries, now) {
      if (entries.length === 0 && contents === undefined) {
        return { added: [], updated: [], merged: 0, mergedItems: [], unchanged: 0, skippedTombstoned: 0, changedCategories: new Set() }
      }
      sortedItems = undefined
      return upsertEntries(loaded(), entries, now)
    },
    prune(options) {
      if (contents === undefined && !isDue(options)) return { pruned: 0, prunedItems: [], changedCategories: new Set() }
      const result = pruneItems(loaded(), currentItems(), options)
      if (result.pruned > 0) sortedItems = undefined
      return result
    },
    save() {
      const saving = lastSave.then(async () => {
        if (!dirty) return false
        // Only source states changed since a lazy open: the file is rewritten whole, so read the rest.
        await loadItems()
        // Taken with the snapshot: a change made while this write runs marks the store dirty again.
        dirty = false
        try {
          return await file.write(toStoreData(loaded(), currentItems()))
        } catch (err) {
          dirty = true
          throw err
        }
      })
      lastSave = saving.catch(() => undefined)
      return saving
    },
    // Lazily opened and unloaded, the file holds the head as read: any change differs from it.
    hasUnsavedChanges: () => dirty && (contents === undefined || !file.holds(toStoreData(contents, currentItems()))),
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
