import { describeError } from '../errors.js'
import { recordFailure } from '../source-state/record-failure.js'
import type { SourceState } from '../types.js'
import type { RefreshResult } from './refresh-result.js'
import type { SourceWarning } from './source-warning.js'

/** A failure as data: the state counts it and schedules the next attempt. */
export function createFailedResult(
  sourceId: string,
  state: SourceState,
  err: unknown,
  now: Date,
  warnings: SourceWarning[] = [],
): RefreshResult {
  return { sourceId, status: 'failed', entries: [], dropped: [], warnings, state: recordFailure(state, err, now), error: describeError(err) }
}
