import { access } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { createFetcher, type Fetcher } from '../fetch/create-fetcher.js'
import { createItemFilter } from '../publish/filter-items.js'
import { listItemMembership, listSourceCategories } from '../publish/list-item-membership.js'
import { feedUrlsOf, OUTPUT_FILE_NAMES } from '../publish/plan-feeds.js'
import { publishOutputs, type PublishResult } from '../publish/publish-outputs.js'
import { publishStatus } from '../publish/publish-status.js'
import { type ArticleExtractor, createArticleExtractor } from '../sources/share/create-article-extractor.js'
import { describeSourceHealth } from '../source-state/describe-source-health.js'
import { type AcquireStoreLockOptions, openStore, type Store, type UpsertResult } from '../store/open-store.js'
import type { Logger, SourceState, StoredItem } from '../types.js'
import { combineUpserts } from './combine-upserts.js'
import { createBodyJudge } from './create-body-judge.js'
import { createEntryParser, type EntryParser, type EntryParserOptions } from './create-entry-parser.js'
import { describePlannedChanges, type PlannedChange } from './describe-planned-changes.js'
import { type FormPoster, type HubPingResult, pingWebSubHub } from './ping-websub-hub.js'
import { hasFailedOutputs, recordFailedOutputs } from './record-failed-outputs.js'
import { recordJekyllPosts } from './record-jekyll-posts.js'
import { refreshSource, type RefreshResult, type SourceStatus } from './refresh-source.js'

/** One source finished (fetched, failed, or not fetched at all), for progress bars and per-source logs. */
export interface SourceDoneEvent {
  sourceId: string
  status: SourceStatus
  /** Entries the source gave this cycle (after normalize). */
  entries: number
  durationMs: number
  error?: { code: string; message: string }
  /** When a failed or skipped source is tried again, ISO. */
  nextAttemptAt?: string
}

export interface CycleOptions {
  config: Readonly<Config>
  log: Logger
  /** @default () => new Date() */
  now?: () => Date
  /** Stops starting new sources; those in flight finish within their timeouts. */
  signal?: AbortSignal
  /** Called once per source as it finishes or is skipped. A throw is ignored. */
  onSourceDone?: (event: SourceDoneEvent) => void
  /**
   * How the cycle takes the store lock (wait for it, name the holder), or 'held' when the caller
   * already holds it: the worker holds it for its whole life. @default {} (fail at once when held)
   */
  lock?: AcquireStoreLockOptions | 'held'
  /**
   * Fetch and compute everything, write nothing: no store, no out/, no hub ping. The lock is taken
   * and released. The summary's `dryRun` says what would change. @default false
   */
  dryRun?: boolean
  /** How long a feed or news API answer may take to parse, with how much heap on its worker thread, and how long one may be to be parsed on this thread. @default createEntryParser's */
  parserLimits?: Pick<EntryParserOptions, 'deadlineMs' | 'maxHeapMb' | 'inlineMaxChars'>
  /** How many items' bodies the lowdb store keeps in memory before it writes changed ones ahead of its commit. @default OpenStoreOptions' */
  heldBodies?: number
}

export interface CycleSummary {
  sources: { ok: number; notModified: number; failed: number; skipped: number; retired: number }
  failures: { sourceId: string; code: string; message: string }[]
  items: { added: number; updated: number; merged: number; pruned: number; dropped: number }
  /** Paths relative to output.dir; none in a dry run. */
  filesWritten: string[]
  outputFailures: PublishResult['failed']
  storeWritten: boolean
  /** Worker threads started to parse answers (`fetch.workers` at most): 0 when every answer was parsed on the calling thread. */
  parseThreads: number
  /** Set when `output.websub` is and some feed changed. */
  hub?: HubPingResult & { url: string }
  /** Set in a dry run: what a real cycle would have written. */
  dryRun?: {
    changes: PlannedChange[]
    storeChanged: boolean
    /** Feeds the hub would be pinged for. */
    hubFeedUrls: string[]
  }
  durationMs: number
}

/**
 * One cycle: due sources → normalize → store upserts, source by source in config order → publish
 * what changed (feeds, then out/status.json) → one store write → WebSub pings for the feeds that
 * changed.
 */
export async function runCycle(options: CycleOptions): Promise<CycleSummary> {
  const { config, log, now = () => new Date(), signal, dryRun = false, lock = {} } = options
  const startedMs = performance.now()
  const store = await openStore({
    path: config.store.path,
    url: config.store.url,
    lock: lock === 'held' ? false : lock,
    filter: createItemFilter(config),
    log,
    // A dry run writes nothing, not even bodies ahead of a commit it never makes.
    writeAhead: !dryRun,
    heldBodies: options.heldBodies,
  })
  const fetcher = createFetcher(config.fetch)
  const articles = createArticleExtractor()
  const parser = createEntryParser({ workers: config.fetch.workers, ...options.parserLimits })
  try {
    const cycleStart = now()
    const states = await store.sourceStates()
    const deadline = AbortSignal.timeout(config.fetch.cycleDeadlineMs)
    const results: RefreshResult[] = []
    const upserts: UpsertResult[] = []
    // Each source's entries are upserted once it and every source before it in the config are
    // done (the config order decides which source describes an item), and then let go: a cycle
    // never holds every answer's entries at once. The store still commits once, at the end.
    for await (const result of refreshAll({ config, fetcher, articles, parser, deadline, store, states, now: cycleStart, signal, onSourceDone: options.onSourceDone })) {
      if (result.entries.length > 0) {
        const upsert = await store.upsert(result.entries, cycleStart)
        // The bodies are the store's to keep or write ahead; a dry run explains its changes by them (filters read content).
        upserts.push(dryRun ? upsert : withoutBodies(upsert))
      }
      await store.setSourceState(result.sourceId, result.state)
      states.set(result.sourceId, result.state)
      reportResult(result, log)
      results.push({ ...result, entries: [] })
    }
    const upserted = combineUpserts(upserts)
    // Reads no more than the store's head when nothing arrived and retention has nothing to do.
    const pruned = await store.prune({ ...config.store, now: cycleStart })
    const changedCategories = new Set([...listChangedCategories(upserted, config), ...pruned.changedCategories])
    const outputsExist = await hasOutputs(config)
    // An output an earlier cycle failed to write (EMFILE, ENOSPC, a read-only out/) is written
    // again now, new items or not: everything is regenerated, and only changed bytes are written.
    const healing = await hasFailedOutputs(store)
    // Outputs go first: if the process dies before the store commit, the next cycle sees the
    // same items as new again and republishes identical files; the other order could leave
    // stored items that never reach out/.
    const feeds = await publishOutputs({
      items: store,
      config,
      changedCategories: outputsExist && !healing ? changedCategories : 'all',
      now: cycleStart,
      dryRun,
      jekyllPosts: (await store.publishRecord()).jekyllPosts,
    })
    await recordJekyllPosts(feeds, store, log, { dryRun })
    const status = await publishStatus({
      health: describeSourceHealth(config, states, cycleStart),
      outputDir: config.output.dir,
      alertAfterHours: config.health.alertAfterHours,
      dryRun,
    })
    const published: PublishResult = {
      written: [...feeds.written, ...status.written],
      unchanged: feeds.unchanged + status.unchanged,
      failed: [...feeds.failed, ...status.failed],
      removed: feeds.removed,
      removedPages: feeds.removedPages,
    }
    if (!dryRun) for (const file of feeds.removedPages ?? []) log.info(`removed ${file}: the category has fewer pages now`, { file })
    for (const failure of published.failed) log.error(`output ${failure.file} not replaced: ${failure.reason}`, { file: failure.file })
    if (!dryRun) await recordFailedOutputs(store, published.failed, cycleStart)
    const changedFeedUrls = config.output.websub === undefined ? [] : feedUrlsOf(feeds.written, config)
    const base = {
      sources: countStatuses(results),
      failures: results.flatMap((r) => (r.error ? [{ sourceId: r.sourceId, ...r.error }] : [])),
      items: {
        added: upserted.added.length,
        updated: upserted.updated.length,
        merged: upserted.merged,
        pruned: pruned.pruned,
        dropped: results.reduce((sum, r) => sum + r.dropped.length, 0),
      },
      outputFailures: published.failed,
      parseThreads: parser.startedThreads(),
    }
    if (dryRun) {
      return {
        ...base,
        filesWritten: [],
        storeWritten: false,
        dryRun: {
          changes: describePlannedChanges({ published, upserted, pruned, config }),
          storeChanged: store.hasChanges(),
          hubFeedUrls: changedFeedUrls,
        },
        durationMs: Math.round(performance.now() - startedMs),
      }
    }
    const storeWritten = await store.commit()
    const hub = await pingHub(config, changedFeedUrls, fetcher, log)
    return {
      ...base,
      filesWritten: published.written,
      storeWritten,
      ...(hub === undefined ? {} : { hub }),
      durationMs: Math.round(performance.now() - startedMs),
    }
  } finally {
    await parser.close()
    await articles.close()
    await fetcher.close()
    await store.close()
  }
}

function refreshAll(options: {
  config: Readonly<Config>
  fetcher: Fetcher
  articles: ArticleExtractor
  parser: EntryParser
  deadline: AbortSignal
  store: Store
  states: ReadonlyMap<string, SourceState>
  now: Date
  signal: AbortSignal | undefined
  onSourceDone: CycleOptions['onSourceDone']
}): AsyncGenerator<RefreshResult> {
  const { config, fetcher, articles, parser, deadline, store, states, now, signal, onSourceDone } = options
  const bodies = createBodyJudge(store, config.sources)
  // The fetcher bounds concurrency overall and per host, so every source can start at once.
  return inConfigOrder(
    config.sources.map(async (source) => {
      const startedMs = performance.now()
      const state = states.get(source.id) ?? { consecutiveFailures: 0, itemsSeen: 0 }
      const result: RefreshResult = signal?.aborted
        ? { sourceId: source.id, status: 'skipped', entries: [], dropped: [], state }
        : await refreshSource({ source, state, config, fetcher, articles, parser, bodies, deadline, known: store, now })
      bodies.remember(source.id, result.entries)
      notifySourceDone(onSourceDone, result, Math.round(performance.now() - startedMs))
      return result
    }),
  )
}

/**
 * The sources' results in config order, each as soon as it and every one before it are done. The
 * list is emptied as it goes, so a result given out is not kept here. refreshSource never throws,
 * so a promise still waiting in the list cannot reject unseen.
 */
async function* inConfigOrder(pending: Promise<RefreshResult>[]): AsyncGenerator<RefreshResult> {
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) yield await next
}

function notifySourceDone(onSourceDone: CycleOptions['onSourceDone'], result: RefreshResult, durationMs: number): void {
  if (onSourceDone === undefined) return
  const { nextAttemptAt } = result.state
  try {
    onSourceDone({
      sourceId: result.sourceId,
      status: result.status,
      entries: result.entries.length,
      durationMs,
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(nextAttemptAt !== undefined && (result.status === 'failed' || result.status === 'skipped') ? { nextAttemptAt } : {}),
    })
  } catch {
    // A progress bar that throws must not fail the cycle.
  }
}

/** The categories an upsert changed: an item is published in the category of every configured source that carries it, so a merge changes that category too. */
export function listChangedCategories(upserted: UpsertResult, config: Readonly<Config>): Set<string> {
  const touchedItems = [...upserted.added, ...upserted.updated, ...upserted.mergedItems]
  const sourceCategories = listSourceCategories(config)
  return new Set([...upserted.changedCategories, ...touchedItems.flatMap((item) => listItemMembership(item, sourceCategories))])
}

/** The upsert with its items' content and summary left out: the rest of a cycle needs their counts, categories and sources. */
function withoutBodies(upsert: UpsertResult): UpsertResult {
  // Destructured, not deleted: an object that loses a property becomes a dictionary several times its size.
  const slim = (items: readonly StoredItem[]): StoredItem[] => items.map(({ content: _content, summary: _summary, ...item }) => item)
  return { ...upsert, added: slim(upsert.added), updated: slim(upsert.updated), mergedItems: slim(upsert.mergedItems) }
}

/** Logs a source's failure, dropped items and warnings. */
export function reportResult(result: RefreshResult, log: Logger): void {
  const { sourceId } = result
  if (result.error) {
    const retired = result.state.retiredAt === undefined ? '' : '; retired: it is not fetched again until its url changes in the config'
    log.warn(`source ${sourceId} failed: ${result.error.message}${retired}`, { sourceId, code: result.error.code })
  }
  for (const dropped of result.dropped) log.warn(`source ${dropped.sourceId}: item skipped: ${dropped.reason}`, { sourceId: dropped.sourceId })
  for (const { message, ...fields } of result.warnings ?? []) {
    log.warn(`source ${fields.sourceId}: ${fields.infoCode === undefined ? '' : `${fields.infoCode}: `}${message}`, fields)
  }
}

async function pingHub(
  config: Readonly<Config>,
  feedUrls: readonly string[],
  poster: FormPoster,
  log: Logger,
): Promise<CycleSummary['hub']> {
  const hubUrl = config.output.websub?.hub
  if (hubUrl === undefined || feedUrls.length === 0) return undefined
  return { url: hubUrl, ...(await pingWebSubHub({ hubUrl, feedUrls, poster, log })) }
}

function countStatuses(results: readonly RefreshResult[]): CycleSummary['sources'] {
  const counts = { ok: 0, notModified: 0, failed: 0, skipped: 0, retired: 0 }
  for (const { status } of results) {
    if (status === 'ok' || status === 'unchanged') counts.ok++
    else if (status === 'not-modified') counts.notModified++
    else if (status === 'failed') counts.failed++
    else if (status === 'retired') counts.retired++
    else counts.skipped++
  }
  return counts
}

/** A missing all-categories feed means out/ was emptied or never built: regenerate everything. */
export async function hasOutputs(config: Readonly<Config>): Promise<boolean> {
  const first = config.output.formats[0] ?? 'rss'
  return access(join(config.output.dir, OUTPUT_FILE_NAMES[first])).then(
    () => true,
    () => false,
  )
}
