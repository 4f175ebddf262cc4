import type { Config, SourceConfig } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import type { ArticleExtractor } from '../sources/share/create-article-extractor.js'
import type { DroppedEntry, NormalizedEntry, SourceState, StoredItem } from '../types.js'
import { nextAttemptAfterFailure } from './next-attempt.js'

/**
 * `unchanged`: a 200 whose body hashes as the last one parsed; `skipped`: backing off (or the cycle
 * was stopped); `retired`: answered 410 Gone on an earlier cycle and is no longer fetched.
 */
export type SourceStatus = 'ok' | 'not-modified' | 'unchanged' | 'failed' | 'skipped' | 'retired'

/** Something that went wrong for one item or page while its source as a whole still counts as ok. */
export interface SourceWarning {
  sourceId: string
  /** The request that failed: a detail API URL, a share page, a full-text page. */
  url: string
  infoCode?: string
  code: string
  message: string
}

export interface RefreshResult {
  sourceId: string
  status: SourceStatus
  entries: NormalizedEntry[]
  dropped: DroppedEntry[]
  /** Per-item failures (detail, share page, full text) that did not fail the source. */
  warnings?: SourceWarning[]
  /** The source's state after this attempt; equal to the old one when nothing worth keeping happened. */
  state: SourceState
  error?: { code: string; message: string }
}

/** What the store already holds, so articles are fetched only once (the store itself answers). */
export interface KnownItems {
  findItem(keys: readonly string[]): Promise<StoredItem | undefined>
  isTombstoned(keys: readonly string[]): Promise<boolean>
}

export interface RefreshOptions<S extends SourceConfig = SourceConfig> {
  source: S
  state: SourceState
  config: Readonly<Config>
  /** The cycle's one fetcher: list, detail, share and full-text requests share its per-host budget. */
  fetcher: Fetcher
  /** The cycle's page parser (worker threads): share pages and full-text pages. */
  articles: ArticleExtractor
  /** Aborts at the cycle deadline (`fetch.cycleDeadlineMs`): no detail, full-text or share page fetch starts after it. */
  deadline: AbortSignal
  known: KnownItems
  now: Date
}

/** A failure as data: the state counts it and schedules the next attempt. */
export function createFailedResult(
  sourceId: string,
  state: SourceState,
  err: unknown,
  now: Date,
  warnings: SourceWarning[] = [],
): RefreshResult {
  const consecutiveFailures = state.consecutiveFailures + 1
  const error = describeError(err)
  const status = (err as { status?: unknown } | undefined)?.status
  const nextState: SourceState = dropUndefined({
    ...state,
    consecutiveFailures,
    failingSince: state.consecutiveFailures === 0 ? now.toISOString() : (state.failingSince ?? now.toISOString()),
    lastErrorAt: now.toISOString(),
    lastError: dropUndefined({ ...error, status: typeof status === 'number' ? status : undefined }),
    nextAttemptAt: nextAttemptAfterFailure(err, consecutiveFailures, now),
  })
  return { sourceId, status: 'failed', entries: [], dropped: [], warnings, state: nextState, error }
}

/** A source that answers again is no longer failing or waiting; its answer after failing is a success. */
export function recoverState(state: SourceState, now: Date): SourceState {
  if (state.consecutiveFailures === 0 && state.nextAttemptAt === undefined && state.failingSince === undefined) return state
  const { nextAttemptAt: _next, failingSince: _since, ...rest } = state
  return { ...rest, consecutiveFailures: 0, lastSuccessAt: now.toISOString() }
}

/**
 * The state with `degraded` holding why this attempt gave only part of the source's content (a cap
 * hit, details not fetched), each reason once, in the order given; absent when it gave all of it.
 * Equal reasons give an equal state, so a source cut the same way every cycle writes nothing new.
 */
export function withDegraded(state: SourceState, reasons: readonly string[]): SourceState {
  const { degraded: _previous, ...rest } = state
  return reasons.length === 0 ? rest : { ...rest, degraded: [...new Set(reasons)] }
}

/** Keeps stored state free of `undefined` keys, so equal states serialize to equal bytes. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** Every identity of an entry, key first, for store lookups. */
export function identitiesOf(entry: Pick<NormalizedEntry, 'key' | 'aliases'>): string[] {
  return [entry.key, ...entry.aliases]
}
