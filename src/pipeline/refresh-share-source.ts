import { capEntries } from '../caps.js'
import type { ShareSourceConfig } from '../config/config-schema.js'
import { describeError, FeedloomError, FetchError } from '../errors.js'
import { identifyEntry } from '../normalize/identify-entry.js'
import { isDropped, normalizeEntry } from '../normalize/normalize-entry.js'
import { dropUndefined } from '../object/drop-undefined.js'
import { recoverState } from '../source-state/recover-state.js'
import { withDegraded } from '../source-state/with-degraded.js'
import type { DroppedEntry, NormalizedEntry } from '../types.js'
import { capCategories } from './cap-categories.js'
import { createFailedResult } from './create-failed-result.js'
import { identitiesOf } from './identities-of.js'
import { sourceContext } from './normalize-entries.js'
import { HTML_ACCEPT } from './refresh-feed-source.js'
import type { RefreshOptions, RefreshResult } from './refresh-result.js'
import type { SourceWarning } from './source-warning.js'

type PageOutcome =
  | { kind: 'known' }
  | { kind: 'entry'; entry: NormalizedEntry; reasons: string[] }
  | { kind: 'dropped'; dropped: DroppedEntry; reasons: string[] }
  | { kind: 'failed'; warning: SourceWarning; error: unknown }
  | { kind: 'deferred'; why: 'budget' | 'deadline' }

/**
 * A list of share pages, each fetched only while its item (by the infoCode in its query, else its
 * canonical link) is not stored. A page that fails is a per-URL warning; the source fails only
 * when every page it fetched failed. At most `fetch.articlesPerSource` pages are fetched per
 * cycle and none after the cycle deadline: the rest wait for a later cycle, and the source shows
 * as degraded meanwhile.
 */
export async function refreshShareSource(options: RefreshOptions<ShareSourceConfig>): Promise<RefreshResult> {
  const { source, state, now } = options
  const budget = { started: 0 }
  const outcomes = await Promise.all([...new Set(source.urls)].map((url) => refreshPage(url, options, budget)))
  const warnings = outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [outcome.warning] : []))
  const { entries, reasons: categoryReasons } = capCategories(
    outcomes.flatMap((outcome) => (outcome.kind === 'entry' ? [outcome.entry] : [])),
    source.id,
  )
  const capReasons = outcomes.flatMap((outcome) => (outcome.kind === 'entry' || outcome.kind === 'dropped' ? outcome.reasons : []))
  const dropped = outcomes.flatMap((outcome) => (outcome.kind === 'dropped' ? [outcome.dropped] : []))
  const known = outcomes.filter((outcome) => outcome.kind === 'known').length
  const deferred = outcomes.flatMap((outcome) => (outcome.kind === 'deferred' ? [outcome.why] : []))
  const fetched = outcomes.length - known - deferred.length
  const firstFailure = outcomes.find((outcome) => outcome.kind === 'failed')
  if (firstFailure !== undefined && warnings.length === fetched) {
    const error = summarizeFailures(firstFailure.error, warnings, fetched)
    return { ...createFailedResult(source.id, state, error, now, warnings), dropped }
  }
  const recovered = recoverState(state, now)
  const waiting = deferredReasons(deferred, options.config.fetch.articlesPerSource)
  if (fetched === 0) {
    // Nothing fetched keeps what the last fetch found, unless pages now wait.
    const unchanged = waiting.length === 0 ? recovered : withDegraded(recovered, waiting)
    return { sourceId: source.id, status: 'unchanged', entries, dropped, warnings, state: unchanged }
  }
  const answered = dropUndefined({ ...recovered, lastSuccessAt: now.toISOString(), itemsSeen: known + entries.length })
  const nextState = withDegraded(answered, [...capReasons, ...categoryReasons, ...waiting])
  return { sourceId: source.id, status: 'ok', entries, dropped, warnings, state: nextState }
}

async function refreshPage(url: string, options: RefreshOptions<ShareSourceConfig>, budget: { started: number }): Promise<PageOutcome> {
  const { source, config, fetcher, known, now, articles, deadline } = options
  // The identity normalize will give this page's item: its URL is both link and share link.
  const identity = identifyEntry({ sourceId: source.id, link: url, shareLink: url, title: '' })
  const identities = identitiesOf(identity)
  if ((await known.findItem(identities)) !== undefined || (await known.isTombstoned(identities))) return { kind: 'known' }
  if (deadline.aborted) return { kind: 'deferred', why: 'deadline' }
  if (budget.started >= config.fetch.articlesPerSource) return { kind: 'deferred', why: 'budget' }
  budget.started += 1
  try {
    const response = await fetcher.fetchText({ url, charset: source.charset, accept: HTML_ACCEPT, signal: deadline })
    if (response.status !== 'ok') {
      const message = `fetch failed for ${url}: HTTP 304 to an unconditional request`
      throw new FetchError('E_FETCH_STATUS', message, { url, status: 304 })
    }
    const article = await articles.extract(response.text, response.url, source.selectors, deadline)
    const { entries, reasons } = capEntries([{ ...article, link: url, shareLink: url, infoCode: identity.infoCode, baseUrl: response.url }])
    const result = normalizeEntry(entries[0] ?? {}, sourceContext(source, config.site.timezone, response.url, now))
    const pageReasons = reasons.length === 0 ? [] : [`${url}: ${reasons.join(', ')}`]
    return isDropped(result) ? { kind: 'dropped', dropped: result, reasons: pageReasons } : { kind: 'entry', entry: result, reasons: pageReasons }
  } catch (err) {
    if (deadline.aborted) return { kind: 'deferred', why: 'deadline' }
    const warning = dropUndefined({ sourceId: source.id, url, infoCode: identity.infoCode, ...describeError(err) })
    return { kind: 'failed', warning, error: err }
  }
}

/** Why pages wait for a later cycle, for the source's `degraded`. */
function deferredReasons(deferred: readonly ('budget' | 'deadline')[], maxFetches: number): string[] {
  const overBudget = deferred.filter((why) => why === 'budget').length
  const pastDeadline = deferred.length - overBudget
  return [
    overBudget > 0
      ? `${overBudget} share pages left for a later cycle: at most ${maxFetches} are fetched per cycle (fetch.articlesPerSource)`
      : undefined,
    pastDeadline > 0 ? `${pastDeadline} share pages left for a later cycle: the cycle deadline passed (fetch.cycleDeadlineMs)` : undefined,
  ].filter((reason) => reason !== undefined)
}

/** The source's error when every page failed: the first error, its message naming how many failed. */
function summarizeFailures(first: unknown, warnings: readonly SourceWarning[], fetched: number): unknown {
  if (fetched === 1) return first
  const message = `${warnings.length} of ${fetched} share pages failed; first: ${warnings[0]?.message ?? ''}`
  if (first instanceof FetchError) {
    const { url, status, retryAfterMs } = first
    return new FetchError(first.code, message, { url, status, retryAfterMs, cause: first })
  }
  return new FeedloomError(first instanceof FeedloomError ? first.code : 'E_PARSE_EXTRACT', message, { cause: first })
}
