import { BlockedAddressError, FetchError } from '../errors.js'
import { parseRetryAfter } from './parse-retry-after.js'

/** Statuses whose Retry-After tells us when to come back (RFC 9110 §10.2.3). */
const RETRY_AFTER_STATUSES = new Set([429, 503])

/** The part of a fetch `Headers` this file reads. */
export interface ResponseHeaders {
  get(name: string): string | null
}

export interface ToFetchErrorOptions {
  url: string
  /** True when our own deadline aborted the request. */
  timedOut: boolean
  timeoutMs: number
}

/** Wraps whatever undici (or our own deadline) threw, keeping it as `cause`. */
export function toFetchError(err: unknown, { url, timedOut, timeoutMs }: ToFetchErrorOptions): FetchError {
  if (err instanceof FetchError) return err
  // Before the timeout test: a refused address is the reason, whatever else went wrong after.
  const blocked = findBlockedAddress(err)
  if (blocked !== undefined) {
    return new FetchError('E_FETCH_BLOCKED', `fetch refused for ${url}: ${blocked.message}`, { url, cause: err })
  }
  const code = findErrorCode(err)
  if (timedOut || isTimeoutCode(code)) {
    return new FetchError('E_FETCH_TIMEOUT', `fetch failed for ${url}: timed out after ${timeoutMs} ms`, { url, cause: err })
  }
  const reason = code === undefined ? findInnermostMessage(err) : describeNetworkCode(code)
  return new FetchError('E_FETCH_NETWORK', `fetch failed for ${url}: ${reason}`, { url, cause: err })
}

/** The error for a status we do not accept: 410 retires a source, anything else is retried later. */
export function createStatusError(url: string, status: number, headers: ResponseHeaders): FetchError {
  if (status === 410) return new FetchError('E_FETCH_GONE', `fetch failed for ${url}: HTTP 410 Gone`, { url, status })
  const retryAfterMs = RETRY_AFTER_STATUSES.has(status)
    ? parseRetryAfter(headers.get('retry-after'), headers.get('date'))
    : undefined
  return new FetchError('E_FETCH_STATUS', `fetch failed for ${url}: HTTP ${status}`, { url, status, retryAfterMs })
}

function isTimeoutCode(code: string | undefined): boolean {
  // undici: UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT; the OS: ETIMEDOUT.
  return code !== undefined && (code.endsWith('_TIMEOUT') || code === 'ETIMEDOUT')
}

function findBlockedAddress(err: unknown): BlockedAddressError | undefined {
  for (const link of walkCauses(err)) if (link instanceof BlockedAddressError) return link
  return undefined
}

/** undici rejects with `TypeError('fetch failed')`; the useful code sits somewhere down its causes. */
function findErrorCode(err: unknown): string | undefined {
  for (const link of walkCauses(err)) {
    const code = (link as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

function findInnermostMessage(err: unknown): string {
  let message = String(err)
  for (const link of walkCauses(err)) if (link instanceof Error && link.message !== '') message = link.message
  return message
}

function* walkCauses(err: unknown): Generator<object> {
  const seen = new Set<unknown>()
  const pending: unknown[] = [err]
  while (pending.length > 0) {
    const link = pending.shift()
    if (typeof link !== 'object' || link === null || seen.has(link)) continue
    seen.add(link)
    yield link
    pending.push((link as { cause?: unknown }).cause)
    if (link instanceof AggregateError) pending.push(...link.errors)
  }
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host name not found in DNS',
  EAI_AGAIN: 'DNS lookup failed for now',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

/** The words a user acts on, with the system's code kept for searching. */
function describeNetworkCode(code: string): string {
  const reason = NETWORK_REASONS[code]
  return reason === undefined ? code : `${reason} (${code})`
}
