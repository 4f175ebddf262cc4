import { describeError } from '../errors.js'
import { dropUndefined } from '../object/drop-undefined.js'
import type { SourceState } from '../types.js'
import { nextAttemptAfterFailure } from './next-attempt.js'

/** The state after a failed attempt: the failure is counted and the next attempt scheduled. */
export function recordFailure(state: SourceState, err: unknown, now: Date): SourceState {
  const consecutiveFailures = state.consecutiveFailures + 1
  const status = (err as { status?: unknown } | undefined)?.status
  return dropUndefined({
    ...state,
    consecutiveFailures,
    failingSince: state.consecutiveFailures === 0 ? now.toISOString() : (state.failingSince ?? now.toISOString()),
    lastErrorAt: now.toISOString(),
    lastError: dropUndefined({ ...describeError(err), status: typeof status === 'number' ? status : undefined }),
    nextAttemptAt: nextAttemptAfterFailure(err, consecutiveFailures, now),
  })
}
