import type { SourceState } from '../types.js'

/** A source that answers again is no longer failing or waiting; its answer after failing is a success. */
export function recoverState(state: SourceState, now: Date): SourceState {
  if (state.consecutiveFailures === 0 && state.nextAttemptAt === undefined && state.failingSince === undefined) return state
  const { nextAttemptAt: _next, failingSince: _since, ...rest } = state
  return { ...rest, consecutiveFailures: 0, lastSuccessAt: now.toISOString() }
}
