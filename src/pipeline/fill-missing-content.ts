import { describeError, FetchError, ParseError } from '../errors.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import { sanitizeContent } from '../normalize/sanitize-content.js'
import type { NormalizedEntry, RawEntry } from '../types.js'
import { identitiesOf, type KnownItems, type SourceWarning } from './refresh-result.js'

export interface NormalizedPair {
  raw: RawEntry
  entry: NormalizedEntry
}

/** Where an entry's missing article text comes from: a detail API, the linked page. */
export interface ContentLocator {
  /** The URL to fetch, or why there is none (then nothing is fetched and nothing retried). */
  urlOf(pair: NormalizedPair): { url: string } | { problem: string }
  /** The answer → article HTML and the URL its relative links are relative to. Throws when there is none. */
  read(text: string, responseUrl: string, pair: NormalizedPair): { html: string; baseUrl: string }
  accept: string
}

export interface FillContentResult {
  entries: NormalizedEntry[]
  warnings: SourceWarning[]
  /** Some fetch failed: the source must not record validators, so the next cycle retries it. */
  hasPending: boolean
}

/**
 * Fetches the article text of entries that have none and are not stored with content (nor
 * pruned), each at most once per cycle, through the cycle's fetcher (so its concurrency and
 * per-host budget apply). A failure keeps the entry as it is (its summary) and is a warning.
 */
export async function fillMissingContent(
  pairs: readonly NormalizedPair[],
  options: { sourceId: string; charset?: string; fetcher: Fetcher; known: KnownItems; locator: ContentLocator },
): Promise<FillContentResult> {
  const warnings: SourceWarning[] = []
  let hasPending = false
  // An item listed twice is fetched once.
  const fetches = new Map<string, Promise<string | undefined>>()
  const fill = async (pair: NormalizedPair): Promise<string | undefined> => {
    const target = options.locator.urlOf(pair)
    const infoCode = pair.entry.infoCode
    if ('problem' in target) {
      const warning = { sourceId: options.sourceId, url: pair.entry.link ?? pair.entry.key, code: 'E_PARSE_FORMAT', message: target.problem }
      warnings.push(withInfoCode(warning, infoCode))
      return undefined
    }
    try {
      const { fetcher, charset, locator } = options
      const response = await fetcher.fetchText({ url: target.url, charset, accept: locator.accept })
      // No validators were sent, so a 304 is a broken server.
      if (response.status !== 'ok') {
        const message = `fetch failed for ${target.url}: HTTP 304 to an unconditional request`
        throw new FetchError('E_FETCH_STATUS', message, { url: target.url, status: 304 })
      }
      const { html, baseUrl } = locator.read(response.text, response.url, pair)
      const content = sanitizeContent(html, baseUrl)
      if (content === undefined) throw new ParseError('E_PARSE_EXTRACT', `no article text left in ${target.url} after sanitizing`)
      return content
    } catch (err) {
      hasPending = true
      warnings.push(withInfoCode({ sourceId: options.sourceId, url: target.url, ...describeError(err) }, infoCode))
      return undefined
    }
  }
  const entries = await Promise.all(
    pairs.map(async (pair) => {
      if (!(await needsContent(pair.entry, options.known))) return pair.entry
      let fetching = fetches.get(pair.entry.key)
      if (fetching === undefined) {
        fetching = fill(pair)
        fetches.set(pair.entry.key, fetching)
      }
      const content = await fetching
      return content === undefined ? pair.entry : { ...pair.entry, content }
    }),
  )
  return { entries, warnings, hasPending }
}

/** Only entries without text whose item is not already stored with some, nor pruned. */
async function needsContent(entry: NormalizedEntry, known: KnownItems): Promise<boolean> {
  if (hasText(entry.content)) return false
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
