import { describe, expect, it } from 'vitest'
import { FetchError } from '../../src/errors.js'
import { nextAttemptAfterFailure } from '../../src/source-state/next-attempt.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')
const MINUTE_MS = 60_000
const noJitter = () => 0.5
const delayMs = (iso: string | undefined) => (iso === undefined ? 0 : Date.parse(iso) - NOW.getTime())
const statusError = (retryAfterMs?: number) =>
  new FetchError('E_FETCH_STATUS', 'fetch failed for https://a.example/: HTTP 503', { url: 'https://a.example/', status: 503, retryAfterMs })

describe('nextAttemptAfterFailure', () => {
  it('retries a first failure on the next cycle', () => {
    expect(nextAttemptAfterFailure(statusError(), 1, NOW, noJitter)).toBeUndefined()
  })

  it('doubles from five minutes', () => {
    expect([2, 3, 4, 5].map((failures) => delayMs(nextAttemptAfterFailure(statusError(), failures, NOW, noJitter)))).toEqual(
      [5, 10, 20, 40].map((minutes) => minutes * MINUTE_MS),
    )
  })

  it('stops doubling at a day', () => {
    expect(delayMs(nextAttemptAfterFailure(statusError(), 30, NOW, noJitter))).toBe(24 * 60 * MINUTE_MS)
  })

  it('spreads sources by ±10 %', () => {
    expect(delayMs(nextAttemptAfterFailure(statusError(), 2, NOW, () => 0))).toBe(4.5 * MINUTE_MS)
    expect(delayMs(nextAttemptAfterFailure(statusError(), 2, NOW, () => 1))).toBe(5.5 * MINUTE_MS)
  })

  it('lets a longer Retry-After win over the backoff', () => {
    expect(delayMs(nextAttemptAfterFailure(statusError(2 * 60 * MINUTE_MS), 2, NOW, noJitter))).toBe(2 * 60 * MINUTE_MS)
  })

  it('keeps the backoff when Retry-After asks for less', () => {
    expect(delayMs(nextAttemptAfterFailure(statusError(1000), 3, NOW, noJitter))).toBe(10 * MINUTE_MS)
  })

  it('waits a week at most, whatever Retry-After says', () => {
    expect(delayMs(nextAttemptAfterFailure(statusError(365 * 24 * 60 * MINUTE_MS), 1, NOW, noJitter))).toBe(7 * 24 * 60 * MINUTE_MS)
  })
})
