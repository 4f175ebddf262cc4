import { FetchError } from '../errors.js'

const BASE_DELAY_MS = 5 * 60_000
const MAX_DELAY_MS = 24 * 60 * 60_000

/**
 * When a source that just failed for the `consecutiveFailures`-th time may be tried again.
 * The first failure is retried on the next cycle (most are transient); after that the delay
 * doubles from five minutes up to a day, with ±10 % jitter so sources on one host spread out.
 * A server's Retry-After wins when it asks for longer.
 */
export function nextAttemptAfterFailure(
  error: unknown,
  consecutiveFailures: number,
  now: Date,
  random: () => number = Math.random,
): string | undefined {
  const retryAfterMs = error instanceof FetchError ? (error.retryAfterMs ?? 0) : 0
  const backoffMs =
    consecutiveFailures < 2
      ? 0
      : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (consecutiveFailures - 2)) * (0.9 + 0.2 * random())
  const delayMs = Math.max(retryAfterMs, backoffMs)
  return delayMs > 0 ? new Date(now.getTime() + Math.round(delayMs)).toISOString() : undefined
}
