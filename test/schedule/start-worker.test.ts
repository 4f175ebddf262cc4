import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkSchedule, startWorker } from '../../src/schedule/start-worker.js'

afterEach(() => {
  vi.useRealTimers()
})

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe('startWorker', () => {
  it('runs one cycle at once', async () => {
    let cycles = 0
    const worker = startWorker({ schedule: '0 0 1 1 *', timezone: 'Asia/Shanghai', runCycle: async () => void cycles++ })
    await worker.firstCycle
    await worker.stop()
    expect(cycles).toBe(1)
  })

  it('skips and reports a tick that comes while a cycle is still running', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:30Z') })
    const slowCycle = deferred()
    let cycles = 0
    const skipped: Date[] = []
    const worker = startWorker({
      schedule: '* * * * *',
      timezone: 'Asia/Shanghai',
      runCycle: async () => {
        cycles++
        await slowCycle.promise
      },
      onSkippedTick: (at) => skipped.push(at),
    })
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    expect(cycles).toBe(1)
    expect(skipped.length).toBeGreaterThanOrEqual(3)

    slowCycle.resolve()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(cycles).toBe(2)
    await worker.stop()
  })

  it('waits for the running cycle when stopped', async () => {
    const slowCycle = deferred()
    let finished = false
    const worker = startWorker({
      schedule: '0 0 1 1 *',
      timezone: 'UTC',
      runCycle: async () => {
        await slowCycle.promise
        finished = true
      },
    })
    const stopping = worker.stop()
    setTimeout(slowCycle.resolve, 20)
    await stopping
    expect(finished).toBe(true)
  })
})

describe('checkSchedule', () => {
  it('accepts five- and six-field expressions', () => {
    expect(checkSchedule('*/5 * * * *')).toBeUndefined()
    expect(checkSchedule('0 */5 * * * *')).toBeUndefined()
  })

  it('names the bad field', () => {
    expect(checkSchedule('*/5 * * * * * *')).toBeDefined()
    expect(checkSchedule('61 * * * *')).toMatch(/minute/)
  })
})
