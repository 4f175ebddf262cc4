import type { FetchResult } from '../fetch/create-fetcher.js'
import { dropUndefined } from '../object/drop-undefined.js'
import type { SourceState } from '../types.js'

/**
 * Updates where a source is fetched from after an answer (RFC 9110 §15.4.2, §15.4.9: a 301/308
 * invites updating the link, a 302/307 does not). A permanent target is recorded as pending the
 * first time and becomes the effective URL when the next cycle is redirected to it again, so one
 * misconfigured answer does not move a source for good. Any other answer clears the pending one.
 * @param configuredUrl the source's URL in the config
 */
export function trackRedirect(state: SourceState, configuredUrl: string, response: FetchResult): SourceState {
  // Only 'ok' results say whether every hop was permanent; a 304 counts as "not seen".
  const target = 'permanentRedirect' in response ? response.permanentRedirect : undefined
  const { pendingRedirect, ...rest } = state
  if (target === undefined) return withConfiguredUrl(rest, configuredUrl)
  if (pendingRedirect !== target) return withConfiguredUrl({ ...rest, pendingRedirect: target }, configuredUrl)
  // Redirected back to the configured URL: fetch that again.
  const { effectiveUrl: _, ...withoutEffective } = rest
  const confirmed = target === configuredUrl ? withoutEffective : { ...rest, effectiveUrl: target }
  return withConfiguredUrl(confirmed, configuredUrl)
}

/** A 410 Gone: the source is not fetched again until the config names another URL. */
export function retireState(state: SourceState, configuredUrl: string, now: Date): SourceState {
  const { nextAttemptAt: _, pendingRedirect: _pending, ...rest } = state
  return withConfiguredUrl({ ...rest, retiredAt: now.toISOString() }, configuredUrl)
}

/**
 * The state for the URL the config names now. Redirects, retirement, validators and backoff
 * recorded for another URL no longer apply: the user changed it, so it is tried at once.
 */
export function resetForConfiguredUrl(state: SourceState, configuredUrl: string): SourceState {
  if (state.configuredUrl === undefined || state.configuredUrl === configuredUrl) return state
  const {
    configuredUrl: _configured,
    effectiveUrl: _effective,
    pendingRedirect: _pending,
    retiredAt: _retired,
    etag: _etag,
    lastModified: _lastModified,
    bodyHash: _bodyHash,
    nextAttemptAt: _next,
    failingSince: _since,
    ...rest
  } = state
  return { ...rest, consecutiveFailures: 0 }
}

/** `configuredUrl` is kept exactly while some URL-bound fact is, so other states keep their bytes. */
function withConfiguredUrl(state: SourceState, configuredUrl: string): SourceState {
  const isBound = state.effectiveUrl !== undefined || state.pendingRedirect !== undefined || state.retiredAt !== undefined
  const { configuredUrl: _, ...rest } = state
  return dropUndefined(isBound ? { ...rest, configuredUrl } : rest)
}
