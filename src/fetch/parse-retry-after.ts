/**
 * Retry-After as milliseconds from the response (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date. A date is measured against the response's own Date header when it has one,
 * so a skewed local clock does not matter.
 */
export function parseRetryAfter(value: string | null, responseDate: string | null, nowMs = Date.now()): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const retryAtMs = Date.parse(trimmed)
  if (Number.isNaN(retryAtMs)) return undefined
  const responseMs = responseDate === null ? Number.NaN : Date.parse(responseDate)
  return Math.max(0, retryAtMs - (Number.isNaN(responseMs) ? nowMs : responseMs))
}
