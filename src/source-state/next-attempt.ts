import { FetchError } from '../errors.js'

const BASE_DELAY_MS = 5 * 60_000
const MAX_DELAY_MS = 24 * 60 * 60_000
/** A Retry-After beyond this is a misconfigured server, not a plan: a week is waited at most. */
const MAX_RETRY_AFTER_MS = 7 * 24 * 60 * 60_000

/**
 * When a source that just failed for the `consecutiveFailures`-th time may be tried again.
 * The first failure is retried on the next cycle (most are transient); after that the delay
 * doubles from five minutes up to a day, with ±10 % jitter so sources on one host spread out.
 * A server's Retry-After (429, 503; seconds or an HTTP-date, parsed by fetch/) wins when it asks
 * for longer, up to a week.
 */
export function nextAttemptAfterFailure(
  error: unknown,
  consecutiveFailures: number,
  now: Date,
  random: () => number = Math.random,
): string | undefined {
  const retryAfterMs = error instanceof FetchError ? Math.min(MAX_RETRY_AFTER_MS, error.retryAfterMs ?? 0) : 0
  const backoffMs =
    consecutiveFailures < 2
      ? 0
      : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (consecutiveFailures - 2)) * (0.9 + 0.2 * random())
  const delayMs = Math.max(retryAfterMs, backoffMs)
  return delayMs > 0 ? new Date(now.getTime() + Math.round(delayMs)).toISOString() : undefined
}
