import { capEntries } from '../caps.js'
import type { ShareSourceConfig } from '../config/config-schema.js'
import { describeError, FeedloomError, FetchError } from '../errors.js'
import { identifyEntry } from '../normalize/identify-entry.js'
import { isDropped, normalizeEntry } from '../normalize/normalize-entry.js'
import { extractArticle } from '../sources/share/extract-article.js'
import type { DroppedEntry, NormalizedEntry } from '../types.js'
import { capCategories } from './cap-categories.js'
import { sourceContext } from './normalize-entries.js'
import { HTML_ACCEPT } from './refresh-feed-source.js'
import {
  createFailedResult,
  dropUndefined,
  identitiesOf,
  recoverState,
  type RefreshOptions,
  type RefreshResult,
  type SourceWarning,
  withDegraded,
} from './refresh-result.js'

type PageOutcome =
  | { kind: 'known' }
  | { kind: 'entry'; entry: NormalizedEntry; reasons: string[] }
  | { kind: 'dropped'; dropped: DroppedEntry; reasons: string[] }
  | { kind: 'failed'; warning: SourceWarning; error: unknown }

/**
 * A list of share pages, each fetched only while its item (by the infoCode in its query, else its
 * canonical link) is not stored. A page that fails is a per-URL warning; the source fails only
 * when every page it fetched failed.
 */
export async function refreshShareSource(options: RefreshOptions<ShareSourceConfig>): Promise<RefreshResult> {
  const { source, state, now } = options
  const outcomes = await Promise.all([...new Set(source.urls)].map((url) => refreshPage(url, options)))
  const warnings = outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [outcome.warning] : []))
  const { entries, reasons: categoryReasons } = capCategories(
    outcomes.flatMap((outcome) => (outcome.kind === 'entry' ? [outcome.entry] : [])),
    source.id,
  )
  const capReasons = outcomes.flatMap((outcome) => (outcome.kind === 'entry' || outcome.kind === 'dropped' ? outcome.reasons : []))
  const dropped = outcomes.flatMap((outcome) => (outcome.kind === 'dropped' ? [outcome.dropped] : []))
  const known = outcomes.filter((outcome) => outcome.kind === 'known').length
  const fetched = outcomes.length - known
  const firstFailure = outcomes.find((outcome) => outcome.kind === 'failed')
  if (firstFailure !== undefined && warnings.length === fetched) {
    const error = summarizeFailures(firstFailure.error, warnings, fetched)
    return { ...createFailedResult(source.id, state, error, now, warnings), dropped }
  }
  const recovered = recoverState(state, now)
  if (fetched === 0) return { sourceId: source.id, status: 'unchanged', entries, dropped, warnings, state: recovered }
  const answered = dropUndefined({ ...recovered, lastSuccessAt: now.toISOString(), itemsSeen: known + entries.length })
  const nextState = withDegraded(answered, [...capReasons, ...categoryReasons])
  return { sourceId: source.id, status: 'ok', entries, dropped, warnings, state: nextState }
}

async function refreshPage(url: string, options: RefreshOptions<ShareSourceConfig>): Promise<PageOutcome> {
  const { source, config, fetcher, known, now } = options
  // The identity normalize will give this page's item: its URL is both link and share link.
  const identity = identifyEntry({ sourceId: source.id, link: url, shareLink: url, title: '' })
  const identities = identitiesOf(identity)
  if ((await known.findItem(identities)) !== undefined || (await known.isTombstoned(identities))) return { kind: 'known' }
  try {
    const response = await fetcher.fetchText({ url, charset: source.charset, accept: HTML_ACCEPT })
    if (response.status !== 'ok') {
      const message = `fetch failed for ${url}: HTTP 304 to an unconditional request`
      throw new FetchError('E_FETCH_STATUS', message, { url, status: 304 })
    }
    const article = extractArticle(response.text, response.url, source.selectors)
    const { entries, reasons } = capEntries([{ ...article, link: url, shareLink: url, infoCode: identity.infoCode, baseUrl: response.url }])
    const result = normalizeEntry(entries[0] ?? {}, sourceContext(source, config, response.url, now))
    const pageReasons = reasons.length === 0 ? [] : [`${url}: ${reasons.join(', ')}`]
    return isDropped(result) ? { kind: 'dropped', dropped: result, reasons: pageReasons } : { kind: 'entry', entry: result, reasons: pageReasons }
  } catch (err) {
    const warning = dropUndefined({ sourceId: source.id, url, infoCode: identity.infoCode, ...describeError(err) })
    return { kind: 'failed', warning, error: err }
  }
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
