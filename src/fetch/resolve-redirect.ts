import { FetchError } from '../errors.js'

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
export const PERMANENT_REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 308])

/**
 * The next URL of a redirect chain: `location` resolved against the URL that answered.
 * Refuses a missing or unparsable Location, a scheme other than http(s) and a URL
 * already visited in this chain.
 */
export function resolveRedirect(from: URL, location: string | null, visited: ReadonlySet<string>): URL {
  if (location === null || location.trim() === '') throw createRedirectError(from, 'redirect without a Location')
  const next = URL.parse(location, from.href)
  if (next === null) throw createRedirectError(from, `redirect to an invalid Location ${location}`)
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw createRedirectError(from, `redirect to unsupported scheme ${next.protocol}`)
  }
  if (visited.has(next.href)) throw createRedirectError(from, `redirect loop back to ${next.href}`)
  return next
}

export function createRedirectError(from: URL, reason: string): FetchError {
  return new FetchError('E_FETCH_REDIRECT', `fetch failed for ${from.href}: ${reason}`, { url: from.href })
}
