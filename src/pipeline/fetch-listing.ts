import { createHash } from 'node:crypto'
import type { FetchResult } from '../fetch/create-fetcher.js'
import { dropUndefined } from '../object/drop-undefined.js'
import { recoverState } from '../source-state/recover-state.js'
import { trackRedirect } from '../source-state/track-source-url.js'
import type { SourceState } from '../types.js'
import type { RefreshOptions, RefreshResult } from './refresh-result.js'

export type Listing =
  | { kind: 'done'; result: RefreshResult }
  | { kind: 'changed'; response: Extract<FetchResult, { status: 'ok' }>; bodyHash: string; recovered: SourceState }

/**
 * Fetches a source's list (a feed, a news API) with a conditional GET, from its effective URL when
 * a permanent redirect was confirmed. A 304, or a 200 whose body hashes the same as the last one
 * parsed, is done here; anything else is for the caller to parse.
 * @param request.url the configured URL
 */
export async function fetchListing(
  { source, state, fetcher, now }: Pick<RefreshOptions, 'source' | 'state' | 'fetcher' | 'now'>,
  request: { url: string; accept?: string },
): Promise<Listing> {
  const base = { sourceId: source.id, entries: [], dropped: [] }
  // While a redirect waits for its second sighting the GET is unconditional: a 304 does not say
  // whether the hops were permanent, so a source with validators would never confirm it.
  const conditional = state.pendingRedirect === undefined ? { etag: state.etag, lastModified: state.lastModified } : undefined
  const response = await fetcher.fetchText(
    dropUndefined({
      url: state.effectiveUrl ?? request.url,
      conditional,
      charset: source.charset,
      accept: request.accept,
    }),
  )
  const recovered = trackRedirect(recoverState(state, now), request.url, response)
  if (response.status === 'not-modified') {
    return { kind: 'done', result: { ...base, status: 'not-modified', state: recovered } }
  }
  const bodyHash = createHash('sha256').update(response.text).digest('hex')
  if (bodyHash === state.bodyHash) {
    const validators = dropUndefined({ etag: response.etag, lastModified: response.lastModified })
    return { kind: 'done', result: { ...base, status: 'unchanged', state: dropUndefined({ ...recovered, ...validators }) } }
  }
  return { kind: 'changed', response, bodyHash, recovered }
}

/**
 * The state after a parsed list. While some article is still missing (a failed detail or
 * full-text page), no validators or body hash are kept: a 304 or the unchanged-body shortcut
 * would otherwise skip the retry on the next cycle.
 */
export function listingState(
  listing: Extract<Listing, { kind: 'changed' }>,
  details: { now: Date; itemsSeen: number; hasPendingArticles: boolean; parseRecovered?: string },
): SourceState {
  const { response, bodyHash, recovered } = listing
  const { etag: _etag, lastModified: _lastModified, bodyHash: _bodyHash, recovered: _parseRecovered, ...rest } = recovered
  const validators = details.hasPendingArticles ? {} : { etag: response.etag, lastModified: response.lastModified, bodyHash }
  return dropUndefined({
    ...rest,
    ...validators,
    lastSuccessAt: details.now.toISOString(),
    charset: response.charset,
    recovered: details.parseRecovered,
    itemsSeen: details.itemsSeen,
  })
}
