import type { ItemFilter, Logger, NormalizedEntry, PageItem, PublishRecord, SourceState, StoredItem } from '../types.js'
import type { AcquireStoreLockOptions } from './store-lock.js'

/**
 * The store as pipeline/, publish/ and cli/ see it: item-level and async, so that a backend can
 * keep items in files (lowdb) or in a database server (PostgreSQL) without its callers knowing.
 *
 * Changes are staged: every method that changes data (upsert, prune, setSourceState,
 * setPublishRecord, importRecords) changes what this handle reads at once, and what any other
 * handle (another process, a fresh open) reads only after commit(), all together. A handle that
 * is closed without commit() (a dry run, a crash) changes nothing.
 *
 * Reads that publish/ makes ("newest N of a category", counts, live items) apply the filter the
 * store was opened with, so callers never hold every item to filter them.
 */
export interface Store {
  /** The live item known by any of `keys` (a key or an alias: `infocode:…`, `link:…`), tried in order. */
  findItem(keys: readonly string[]): Promise<StoredItem | undefined>
  /** Whether any of `keys` belongs to a pruned item, which upsert will not bring back. */
  isTombstoned(keys: readonly string[]): Promise<boolean>
  /**
   * For each entry, in order, what the store holds under its key, or whether anything knows any of
   * its identities: one question for a whole answer of a source, answered without reading bodies
   * where the store keeps these facts beside its index.
   */
  describeEntries(entries: readonly EntryQuestion[]): Promise<EntryFacts[]>
  /** Adds or merges entries by their keys and aliases, keeping each item's id and first-seen time. Entries are handled in order. */
  upsert(entries: readonly NormalizedEntry[], now: Date): Promise<UpsertResult>
  /** Applies retention; every pruned item leaves tombstones for its key and aliases. */
  prune(options: RetentionOptions): Promise<PruneResult>
  /**
   * The newest `limit` live items that the filter publishes, of one category (an item counts in
   * every category of its membership list) or of all when `category` is absent: newest `published`
   * first, equal instants by id; from the `offset`-th on (a page past the first), without reading the bodies before it.
   */
  newestItems(query: { category?: string; limit: number; offset?: number }): Promise<StoredItem[]>
  /**
   * What a category page shows of the items newestItems gives for the same query, without reading
   * their bodies where the store keeps those fields beside its index.
   */
  pageItems(query: { category?: string; limit: number; offset?: number }): Promise<PageItem[]>
  /** Live items the filter publishes with `published` at or after `since`, all categories, in the order of newestItems. */
  liveItems(query: { since: Date }): Promise<StoredItem[]>
  /** How many live items the filter publishes, overall and per category, with each category's title from its items. */
  countItems(): Promise<ItemCounts>
  /** Copies of every stored source state, by source id. A source never fetched has none. */
  sourceStates(): Promise<Map<string, SourceState>>
  /** A copy of one source's state; undefined when it was never fetched. Reads that row only: a worker's job needs no more. */
  sourceState(id: string): Promise<SourceState | undefined>
  setSourceState(id: string, state: SourceState): Promise<void>
  /** A copy of what publishing recorded (posts it wrote, outputs to write again). */
  publishRecord(): Promise<PublishRecord>
  setPublishRecord(record: PublishRecord): Promise<void>
  /** Whether commit() would change anything: a dry run reports this. */
  hasChanges(): boolean
  /**
   * Makes every staged change visible at once, or none of them (a crash or a failure midway
   * leaves the store as the last commit left it).
   * @returns true when something was written, false when nothing had changed
   */
  commit(): Promise<boolean>
  /** Everything the store holds, in batches, for `feedloom store copy`. */
  exportRecords(): AsyncIterable<StoreRecord[]>
  /** Stages records as exported by another store: items keep their ids, dates and sources. */
  importRecords(records: readonly StoreRecord[]): Promise<void>
  /** Every inconsistency found in what is committed, one line each for `feedloom store check`; empty when sound. */
  check(): Promise<string[]>
  /** Waits for a running commit, then lets go of the store (its lock, its connection). Does not commit. */
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** `store.path`: the lowdb store's index file (`<path>.lock` beside it). */
  path: string
  /** `store.url` (`postgres://…`): when set, the store lives in that database instead of at `path`. */
  url?: string
  /**
   * Hold the store's lock until close(), so only one process writes: true, or how to take it (wait,
   * holder). Pass false for read-only uses, or when the caller already holds the lock. @default true
   */
  lock?: boolean | AcquireStoreLockOptions
  /**
   * What publish/ publishes (the config's filters). newestItems, pageItems, liveItems and
   * countItems answer with it. @default every item is published
   */
  filter?: ItemFilter
  /** Told about one-time work, such as converting an old store. */
  log?: Logger
  /**
   * The config's source ids in order: an item several of them carry is then described by the one
   * listed first, whatever order they were stored in (workers of a queue store sources in any
   * order). @default the first source to store an item describes it
   */
  sourceOrder?: readonly string[]
  /**
   * lowdb: how many items' bodies a handle keeps in memory. Past it, the least recently used
   * segments are let go: unchanged ones are read again from their files when needed, changed ones
   * are written ahead to a spill file beside the segments, which the commit copies from. @default HELD_BODIES
   */
  heldBodies?: number
  /**
   * lowdb: false keeps changed bodies in memory until the commit whatever `heldBodies` says, so
   * that nothing is written: a dry run. @default true
   */
  writeAhead?: boolean
}

/** An entry as describeEntries asks about it. */
export interface EntryQuestion {
  key: string
  /** Key first, then aliases. */
  identities: readonly string[]
}

/** What describeEntries answers for one entry. */
export type EntryFacts =
  | {
      /** A live item is stored under the entry's key (as its key or an alias). */
      stored: true
      /** The source listed first on the item: the one whose title and content describe it. */
      firstSource: string
      /** Whether the item's content has any text but white space. */
      hasContent: boolean
      /** The hash of the content the item's content was sanitized from; absent when it has none. */
      contentHash?: string
    }
  | {
      stored: false
      /** Whether a live item or a tombstone holds any of the entry's identities. */
      known: boolean
    }

export interface UpsertResult {
  /** Items seen for the first time: announce these. */
  added: StoredItem[]
  /** Known items whose title or content changed; never also in `added`. */
  updated: StoredItem[]
  /** Entries that matched a known item from a source it did not list yet (that source was added). */
  merged: number
  /** The items those entries merged into, as they are now (an item merged twice is listed once). */
  mergedItems: StoredItem[]
  /** Entries that matched a known item and changed neither its sources, title nor content. */
  unchanged: number
  /** Entries whose key or an alias belongs to a pruned item. */
  skippedTombstoned: number
  /** Every category of every added or updated item. */
  changedCategories: Set<string>
}

export interface RetentionOptions {
  /** Items kept per category, newest published first. */
  maxItemsPerCategory: number
  /** Items published longer ago than this are removed. */
  maxAgeDays: number
  now: Date
}

/** What is left to know of a pruned item: its body may be gone with its segment. */
export type PrunedItem = Pick<StoredItem, 'id' | 'key' | 'published' | 'category'>

export interface PruneResult {
  pruned: number
  /** The items removed, newest first. */
  prunedItems: PrunedItem[]
  /** Categories that lost at least one item. */
  changedCategories: Set<string>
}

export interface ItemCounts {
  /** Published live items in all categories together (an item in two categories counts once). */
  all: number
  /** By category slug, in slug order: published live items, and the categoryTitle of the newest one that has one. */
  categories: Map<string, { items: number; title?: string }>
}

/** One unit of a store's contents, as `store copy` moves it between backends. */
export type StoreRecord =
  | { kind: 'item'; item: StoredItem }
  | { kind: 'tombstone'; identity: string; prunedAt: string }
  | { kind: 'category-slug'; slug: string; name: string }
  | { kind: 'source'; id: string; state: SourceState }
  | { kind: 'publish'; record: PublishRecord }

/** The filter of a store opened without one: every item published, in its own category only. */
export const PUBLISH_EVERY_ITEM: ItemFilter = { fingerprint: 'none', accepts: () => true, categoriesOf: (item) => [item.category] }
