import { describeError, FetchError, ParseError } from '../errors.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import { sanitizeContent } from '../normalize/sanitize-content.js'
import { type ArticleBackoff, nextArticleBackoff } from '../source-state/article-backoff.js'
import type { NormalizedEntry, RawEntry, SourceState } from '../types.js'
import { identitiesOf } from './identities-of.js'
import type { KnownItems } from './known-items.js'
import type { SourceWarning } from './source-warning.js'

export interface NormalizedPair {
  /** The entry as parsed; kept only where a locator reads it (a detail URL template). */
  raw?: RawEntry
  entry: NormalizedEntry
}

/** Where an entry's missing article text comes from: a detail API, the linked page. */
export interface ContentLocator {
  /** The URL to fetch, or why there is none (then nothing is fetched and nothing retried). */
  urlOf(pair: NormalizedPair): { url: string } | { problem: string }
  /** The answer → article HTML and the URL its relative links are relative to. Rejects when there is none. */
  read(text: string, responseUrl: string, pair: NormalizedPair, signal: AbortSignal): Promise<{ html: string; baseUrl: string }>
  accept: string
  /** What one such fetch is called in `status`: `detail`, `full-text page`. */
  noun: string
}

export interface FillContentOptions {
  sourceId: string
  charset?: string
  fetcher: Fetcher
  known: KnownItems
  locator: ContentLocator
  /** The source's state before this attempt: whether its article fetches are backing off. */
  state: SourceState
  /** Fetches this source may start this cycle (`fetch.articlesPerSource`). */
  maxFetches: number
  /** The cycle deadline: once aborted nothing more starts, and fetches and parses in flight stop. */
  deadline: AbortSignal
  now: Date
}

export interface FillContentResult {
  entries: NormalizedEntry[]
  warnings: SourceWarning[]
  /** Some article is still missing (failed, or left for later): the source must not record validators, so the next cycle retries it. */
  hasPending: boolean
  /** The article backoff this attempt leaves in the source's state. */
  backoff: ArticleBackoff
  /** Why some articles are missing, for the source's `degraded`; empty when none is. */
  reasons: string[]
}

/**
 * Fetches the article text of entries that have none and are not stored with content (nor
 * pruned), each at most once per cycle, through the cycle's fetcher (so its concurrency and
 * per-host budget apply). A failure keeps the entry as it is (its summary) and is a warning.
 * Bounded three ways, so a source whose articles never answer cannot hold up the cycle: at most
 * `maxFetches` per cycle, nothing after the cycle deadline, and once every fetch failed on two
 * cycles in a row, none until a backoff has passed (as for a failing source: 5 minutes,
 * doubling). What is left waits for a later cycle and is named in the reasons.
 */
export async function fillMissingContent(pairs: readonly NormalizedPair[], options: FillContentOptions): Promise<FillContentResult> {
  const { state, now, deadline, locator } = options
  const warnings: SourceWarning[] = []
  const pausedUntil =
    state.articlesRetryAt !== undefined && Date.parse(state.articlesRetryAt) > now.getTime() ? state.articlesRetryAt : undefined
  const count = { started: 0, succeeded: 0, failed: 0, overBudget: 0, pastDeadline: 0, paused: 0 }
  // An item listed twice is fetched once.
  const fetches = new Map<string, Promise<string | undefined>>()
  const fill = async (pair: NormalizedPair): Promise<string | undefined> => {
    const target = locator.urlOf(pair)
    const infoCode = pair.entry.infoCode
    if ('problem' in target) {
      const warning = { sourceId: options.sourceId, url: pair.entry.link ?? pair.entry.key, code: 'E_PARSE_FORMAT', message: target.problem }
      warnings.push(withInfoCode(warning, infoCode))
      return undefined
    }
    if (pausedUntil !== undefined) return void (count.paused += 1)
    if (deadline.aborted) return void (count.pastDeadline += 1)
    if (count.started >= options.maxFetches) return void (count.overBudget += 1)
    count.started += 1
    try {
      const { fetcher, charset } = options
      const response = await fetcher.fetchText({ url: target.url, charset, accept: locator.accept, signal: deadline })
      // No validators were sent, so a 304 is a broken server.
      if (response.status !== 'ok') {
        const message = `fetch failed for ${target.url}: HTTP 304 to an unconditional request`
        throw new FetchError('E_FETCH_STATUS', message, { url: target.url, status: 304 })
      }
      const { html, baseUrl } = await locator.read(response.text, response.url, pair, deadline)
      const content = sanitizeContent(html, baseUrl)
      if (content === undefined) throw new ParseError('E_PARSE_EXTRACT', `no article text left in ${target.url} after sanitizing`)
      count.succeeded += 1
      return content
    } catch (err) {
      // Stopped by the deadline is not a failure of the source: it is left for a later cycle.
      if (deadline.aborted) return void (count.pastDeadline += 1)
      count.failed += 1
      warnings.push(withInfoCode({ sourceId: options.sourceId, url: target.url, ...describeError(err) }, infoCode))
      return undefined
    }
  }
  const needs = await whichNeedContent(
    pairs.map((pair) => pair.entry),
    options.known,
  )
  const entries = await Promise.all(
    pairs.map(async (pair, index) => {
      if (needs[index] !== true) return pair.entry
      let fetching = fetches.get(pair.entry.key)
      if (fetching === undefined) {
        fetching = fill(pair)
        fetches.set(pair.entry.key, fetching)
      }
      const content = await fetching
      if (content === undefined) return pair.entry
      // The hash names the listing's content, which this page's text replaces.
      const { contentHash: _listed, ...entry } = pair.entry
      return { ...entry, content }
    }),
  )
  const backoff = nextArticleBackoff(state, count, pausedUntil, now)
  const plural = `${locator.noun}s`
  const failures = backoff.articleFailures ?? 0
  const reasons = [
    count.failed > 0
      ? `${count.failed} of ${count.started} ${locator.noun} fetches failed` +
        (failures > 1 ? `, every one on the last ${failures} cycles` : '') +
        (backoff.articlesRetryAt === undefined ? '' : `; tried again after ${backoff.articlesRetryAt}`)
      : undefined,
    count.overBudget > 0
      ? `${count.overBudget} ${plural} left for a later cycle: at most ${options.maxFetches} are fetched per cycle (fetch.articlesPerSource)`
      : undefined,
    count.pastDeadline > 0 ? `${count.pastDeadline} ${plural} left for a later cycle: the cycle deadline passed (fetch.cycleDeadlineMs)` : undefined,
    count.paused > 0
      ? `${count.paused} ${plural} wait until ${pausedUntil}: every ${locator.noun} fetch failed on the last ${state.articleFailures ?? 0} cycles`
      : undefined,
  ].filter((reason) => reason !== undefined)
  const hasPending = count.failed + count.overBudget + count.pastDeadline + count.paused > 0
  return { entries, warnings, hasPending, backoff, reasons }
}

/**
 * Per entry, whether it needs content: only entries without text whose item is not already stored
 * with some, nor pruned. One store question for them all; only an entry the store knows otherwise
 * than by its key with text (an alias, a tombstone, an item without text) is looked up alone.
 */
async function whichNeedContent(entries: readonly NormalizedEntry[], known: KnownItems): Promise<boolean[]> {
  const without = entries.filter((entry) => !hasText(entry.content))
  const facts = await known.describeEntries(without.map((entry) => ({ key: entry.key, identities: identitiesOf(entry) })))
  const answers = await Promise.all(
    without.map((entry, index) => {
      const answer = facts[index]
      if (answer?.stored === true && answer.hasContent) return false
      if (answer?.stored === false && !answer.known) return true
      return needsContent(entry, known)
    }),
  )
  const byEntry = new Map(without.map((entry, index) => [entry, answers[index] === true]))
  return entries.map((entry) => byEntry.get(entry) === true)
}

async function needsContent(entry: NormalizedEntry, known: KnownItems): Promise<boolean> {
  const identities = identitiesOf(entry)
  if (await known.isTombstoned(identities)) return false
  return !hasText((await known.findItem(identities))?.content)
}

function hasText(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== ''
}

function withInfoCode(warning: SourceWarning, infoCode: string | undefined): SourceWarning {
  return infoCode === undefined ? warning : { ...warning, infoCode }
}

/** The result for a source that fetches no articles: its entries as they are. */
export function withoutArticles(pairs: readonly NormalizedPair[]): FillContentResult {
  return { entries: pairs.map((pair) => pair.entry), warnings: [], hasPending: false, backoff: {}, reasons: [] }
}
