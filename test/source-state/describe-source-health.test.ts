import { describe, expect, it } from 'vitest'
import { describeSourceHealth } from '../../src/source-state/describe-source-health.js'
import type { SourceState } from '../../src/types.js'
import { createCycleConfig } from '../pipeline/cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')

function healthOf(state: SourceState) {
  const config = createCycleConfig('/tmp', [{ id: 'nbd', type: 'feed', url: 'https://nbd.example/rss.xml', category: 'meirijingjixinwen' }])
  const [health] = describeSourceHealth(config, new Map([['nbd', state]]), NOW)
  return health
}

describe('describeSourceHealth', () => {
  it('shows a source that answers but was cut short as degraded, with the reason', () => {
    const health = healthOf({ consecutiveFailures: 0, itemsSeen: 1000, degraded: ['answered 65000 entries; kept the first 1000'] })

    expect(health).toMatchObject({ state: 'degraded', degraded: ['answered 65000 entries; kept the first 1000'] })
  })

  it('shows a whole answer as ok', () => {
    expect(healthOf({ consecutiveFailures: 0, itemsSeen: 3 })?.state).toBe('ok')
  })
})
