import type { Config } from '../config/config-schema.js'
import { dropUndefined } from '../object/drop-undefined.js'
import type { SourceHealth, SourceState } from '../types.js'

const HOUR_MS = 3_600_000

/**
 * Each configured source's health at `now`, in config order. Derived from the stored state only,
 * so the same store and the same `now` give the same answer (out/status.json stays byte-stable).
 */
export function describeSourceHealth(
  config: Readonly<Config>,
  states: ReadonlyMap<string, SourceState>,
  now: Date,
): SourceHealth[] {
  const alertAfterMs = config.health.alertAfterHours * HOUR_MS
  return config.sources.map((source) => {
    const stored = states.get(source.id)
    const state = stored ?? { consecutiveFailures: 0, itemsSeen: 0 }
    const failingForMs = state.failingSince === undefined ? 0 : now.getTime() - Date.parse(state.failingSince)
    return dropUndefined({
      id: source.id,
      state: stateOf(stored !== undefined, state, now),
      url: 'url' in source ? source.url : undefined,
      effectiveUrl: state.effectiveUrl,
      pendingRedirect: state.pendingRedirect,
      lastAttemptAt: state.lastAttemptAt,
      lastSuccessAt: state.lastSuccessAt,
      lastErrorAt: state.lastErrorAt,
      lastError: state.lastError,
      consecutiveFailures: state.consecutiveFailures,
      failingSince: state.failingSince,
      nextAttemptAt: state.nextAttemptAt,
      retiredAt: state.retiredAt,
      recovered: state.recovered,
      itemsSeen: state.itemsSeen,
      degraded: state.degraded,
      alert: state.consecutiveFailures > 0 && failingForMs > alertAfterMs,
    })
  })
}

function stateOf(hasState: boolean, state: SourceState, now: Date): SourceHealth['state'] {
  if (!hasState) return 'new'
  if (state.retiredAt !== undefined) return 'retired'
  if (state.consecutiveFailures === 0) return state.degraded === undefined ? 'ok' : 'degraded'
  const isWaiting = state.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()
  return isWaiting ? 'backing-off' : 'failing'
}
