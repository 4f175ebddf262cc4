import type { Config, SourceConfig } from '../config/config-schema.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import type { ArticleExtractor } from '../sources/share/create-article-extractor.js'
import type { BodyJudge } from './create-body-judge.js'
import type { EntryParser } from './create-entry-parser.js'
import type { DroppedEntry, NormalizedEntry, SourceState } from '../types.js'
import type { KnownItems } from './known-items.js'
import type { SourceWarning } from './source-warning.js'

/**
 * `unchanged`: a 200 whose body hashes as the last one parsed; `skipped`: backing off (or the cycle
 * was stopped); `retired`: answered 410 Gone on an earlier cycle and is no longer fetched.
 */
export type SourceStatus = 'ok' | 'not-modified' | 'unchanged' | 'failed' | 'skipped' | 'retired'

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

export interface RefreshOptions<S extends SourceConfig = SourceConfig> {
  source: S
  state: SourceState
  config: Readonly<Config>
  /** The cycle's one fetcher: list, detail, share and full-text requests share its per-host budget. */
  fetcher: Fetcher
  /** The cycle's page parser (worker threads): share pages and full-text pages. */
  articles: ArticleExtractor
  /** The cycle's feed and news API parser (worker threads, `fetch.workers`): parse and normalize. */
  parser: EntryParser
  /** Which entries need no sanitizing. @default every entry is sanitized */
  bodies?: BodyJudge
  /** Aborts at the cycle deadline (`fetch.cycleDeadlineMs`): no detail, full-text or share page fetch starts after it. */
  deadline: AbortSignal
  known: KnownItems
  now: Date
}
