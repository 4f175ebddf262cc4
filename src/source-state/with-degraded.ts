import type { SourceState } from '../types.js'

/**
 * The state with `degraded` holding why this attempt gave only part of the source's content (a cap
 * hit, details not fetched), each reason once, in the order given; absent when it gave all of it.
 * Equal reasons give an equal state, so a source cut the same way every cycle writes nothing new.
 */
export function withDegraded(state: SourceState, reasons: readonly string[]): SourceState {
  const { degraded: _previous, ...rest } = state
  return reasons.length === 0 ? rest : { ...rest, degraded: [...new Set(reasons)] }
}
