import { isDeepStrictEqual } from 'node:util'
import { resetForConfiguredUrl, retireState } from '../source-state/track-source-url.js'
import type { SourceState } from '../types.js'
import { createFailedResult } from './create-failed-result.js'
import { refreshFeedSource } from './refresh-feed-source.js'
import { refreshJsonSource } from './refresh-json-source.js'
import type { RefreshOptions, RefreshResult } from './refresh-result.js'
import { refreshShareSource } from './refresh-share-source.js'

export type { RefreshOptions, RefreshResult, SourceStatus } from './refresh-result.js'
export type { KnownItems } from './known-items.js'
export type { SourceWarning } from './source-warning.js'

/**
 * Fetches, parses and normalizes one source of any kind, unless it is retired or backing off.
 * Never throws: a failure is data. A 410 Gone retires a feed or json source until its configured
 * URL changes; a changed URL also forgets redirects and backoff recorded for the old one.
 */
export async function refreshSource(options: RefreshOptions): Promise<RefreshResult> {
  const { source, now } = options
  // Share sources have a list of pages, each answered on its own: a 410 there is one page's problem.
  const configuredUrl = 'url' in source ? source.url : undefined
  const state = configuredUrl === undefined ? options.state : resetForConfiguredUrl(options.state, configuredUrl)
  const result = await attempt({ ...options, state })
  const settled =
    configuredUrl !== undefined && result.status === 'failed' && result.error?.code === 'E_FETCH_GONE'
      ? { ...result, state: retireState(result.state, configuredUrl, now) }
      : result
  return stampAttempt(settled, options.state, now)
}

async function attempt(options: RefreshOptions): Promise<RefreshResult> {
  const { source, state, now } = options
  const notFetched = { sourceId: source.id, entries: [], dropped: [], state }
  if (state.retiredAt !== undefined) return { ...notFetched, status: 'retired' }
  if (state.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()) {
    return { ...notFetched, status: 'skipped' }
  }
  try {
    switch (source.type) {
      case 'feed':
        return await refreshFeedSource({ ...options, source })
      case 'json':
        return await refreshJsonSource({ ...options, source })
      case 'share':
        return await refreshShareSource({ ...options, source })
    }
  } catch (err) {
    return createFailedResult(source.id, state, err, now)
  }
}

/**
 * `lastAttemptAt` is set only by an attempt that changed the state anyway: stamping every 304
 * would make a cycle where nothing changed write the store (README, "Why there is no \"last checked\" time").
 */
function stampAttempt(result: RefreshResult, before: SourceState, now: Date): RefreshResult {
  if (result.status === 'skipped' || result.status === 'retired' || isSameState(result.state, before)) return result
  return { ...result, state: { ...result.state, lastAttemptAt: now.toISOString() } }
}

/** Equal as stored: key order and undefined values are not data. */
function isSameState(a: SourceState, b: SourceState): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))
}
