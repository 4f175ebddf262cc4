import type { Config } from '../config/config-schema.js'
import { StoreError } from '../errors.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import type { ArticleExtractor } from '../sources/share/create-article-extractor.js'
import type { Logger } from '../types.js'
import type { EntryParser } from './create-entry-parser.js'
import type { StorePool } from './create-store-pool.js'
import { refreshSource, type SourceStatus } from './refresh-source.js'
import { listChangedCategories, reportResult } from './run-cycle.js'

export interface SourceJobOptions {
  config: Readonly<Config>
  sourceId: string
  /** The worker's one fetcher: its concurrency and per-host limits span all of the worker's jobs. */
  fetcher: Fetcher
  articles: ArticleExtractor
  /** The worker's feed and news API parser (its threads span all of the worker's jobs). */
  parser: EntryParser
  /** The worker's store handles, kept open between its jobs. */
  stores: StorePool
  log: Logger
  now: Date
}

export interface SourceJobResult {
  /** Absent when the source is no longer in the config. */
  status?: SourceStatus
  /** Whether the job changed the store (items, or the source's state). */
  storeChanged: boolean
  /** Categories whose feeds the stored changes touch. */
  changedCategories: Set<string>
}

/**
 * One source as a job of `feedloom worker`: the same refresh as a cycle's (backoff, Retry-After,
 * redirects, health), its entries upserted and its state saved in one commit of its own.
 * The store is written after the fetch, in a short transaction, so a fetch that takes long holds
 * no locks in the database.
 * @throws StoreError when the store cannot be read or written: the job is tried again
 */
export async function runSourceJob(options: SourceJobOptions): Promise<SourceJobResult> {
  const { config, sourceId, fetcher, articles, parser, stores, log, now } = options
  const source = config.sources.find((one) => one.id === sourceId)
  if (source === undefined) return { storeChanged: false, changedCategories: new Set() }
  let store = await stores.take(config)
  // A handle goes back for the next job only once its transaction ended in a commit.
  let isCommitted = false
  try {
    const state = (await store.sourceState(sourceId)) ?? { consecutiveFailures: 0, itemsSeen: 0 }
    const deadline = AbortSignal.timeout(config.fetch.cycleDeadlineMs)
    // Reads only: the handle opens its transaction at the first write, after the fetch.
    const result = await refreshSource({ source, state, config, fetcher, articles, parser, deadline, known: store, now })
    reportResult(result, log)
    for (let attempt = 1; ; attempt++) {
      try {
        await store.setSourceState(sourceId, result.state)
        const upserted = await store.upsert(result.entries, now)
        const storeChanged = await store.commit()
        isCommitted = true
        return { status: result.status, storeChanged, changedCategories: listChangedCategories(upserted, config) }
      } catch (err) {
        // Two workers' transactions on the same items: PostgreSQL let one of them go; writing
        // again, after the other committed, succeeds without fetching again.
        if (!(err instanceof StoreError && err.code === 'E_STORE_CONFLICT') || attempt === MAX_STORE_ATTEMPTS) throw err
        await stores.discard(store)
        store = await stores.take(config)
      }
    }
  } finally {
    await (isCommitted ? stores.give(store) : stores.discard(store))
  }
}

/** Writes of one job tried this many times when a concurrent job's transaction gets in the way. */
const MAX_STORE_ATTEMPTS = 5
