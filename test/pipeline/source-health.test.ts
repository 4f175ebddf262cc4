import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { Route } from '../helpers/feed-server.js'
import { createCycleConfig, readSourceState, rssWith, runCycleAt, useCycleServer } from './cycle-test-helpers.js'
import type { SourceDoneEvent } from '../../src/pipeline/run-cycle.js'

const T0 = new Date('2022-01-12T00:00:00.000Z')
const MINUTE_MS = 60_000
const at = (ms: number) => new Date(T0.getTime() + ms)

const cycle = useCycleServer()

function feedConfig(path = '/feed.xml', extra: Record<string, unknown> = {}) {
  return createCycleConfig(cycle.dir, [{ id: 'nbd', type: 'feed', url: `${cycle.server.url}${path}`, category: 'meirijingjixinwen' }], extra)
}

function requestsTo(path: string): number {
  return cycle.server.requests.filter((request) => request.path === path).length
}

const failWith = (status: number, headers: Record<string, string> = {}): Route => ({ body: 'no', status, headers })

/** A route that answers 301/302/… to `target`. */
const redirectTo = (status: number, target: string): Route => (_req, res) => void res.writeHead(status, { location: target }).end()

describe('source health in the store', () => {
  it('records the error, its HTTP status, the failure count and when the streak began', async () => {
    cycle.server.routes['/feed.xml'] = failWith(500)
    const config = feedConfig()

    await runCycleAt(config, at(0))
    await runCycleAt(config, at(10 * MINUTE_MS))

    expect(await readSourceState(config, 'nbd')).toMatchObject({
      consecutiveFailures: 2,
      failingSince: at(0).toISOString(),
      lastErrorAt: at(10 * MINUTE_MS).toISOString(),
      lastError: { code: 'E_FETCH_STATUS', status: 500 },
      lastAttemptAt: at(10 * MINUTE_MS).toISOString(),
    })
  })

  it('resets failures and the streak on the next success, and records that success', async () => {
    cycle.server.routes['/feed.xml'] = failWith(500)
    const config = feedConfig()
    await runCycleAt(config, at(0))
    cycle.server.routes['/feed.xml'] = rssWith('一')

    await runCycleAt(config, at(MINUTE_MS))

    const state = await readSourceState(config, 'nbd')
    expect(state).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: at(MINUTE_MS).toISOString(), itemsSeen: 1 })
    expect(state?.failingSince).toBeUndefined()
    expect(state?.nextAttemptAt).toBeUndefined()
  })

  it('leaves the store file byte for byte alone when the source answers 304', async () => {
    cycle.server.routes['/feed.xml'] = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end()
      res.writeHead(200, { etag: '"v1"', 'content-type': 'application/xml' }).end(rssWith('一'))
    }
    const config = feedConfig()
    await runCycleAt(config, at(0))
    const before = await readFile(config.store.path, 'utf8')

    const summary = await runCycleAt(config, at(60 * MINUTE_MS))

    expect(summary.sources.notModified).toBe(1)
    expect(summary.storeWritten).toBe(false)
    expect(await readFile(config.store.path, 'utf8')).toBe(before)
  })

  it('skips a source that returned 500 five times until its backoff expires', async () => {
    cycle.server.routes['/feed.xml'] = failWith(500)
    const config = feedConfig()
    let clockMs = 0
    for (let attempt = 1; attempt <= 5; attempt++) {
      await runCycleAt(config, at(clockMs))
      const state = await readSourceState(config, 'nbd')
      // Past any backoff: the next cycle tries again.
      clockMs = state?.nextAttemptAt === undefined ? clockMs + MINUTE_MS : Date.parse(state.nextAttemptAt) - T0.getTime() + 1
    }
    const state = await readSourceState(config, 'nbd')
    const nextAttemptMs = Date.parse(state?.nextAttemptAt ?? '')
    const lastFailureMs = Date.parse(state?.lastErrorAt ?? '')

    const skipped = await runCycleAt(config, new Date(nextAttemptMs - 1))
    const retried = await runCycleAt(config, new Date(nextAttemptMs))

    expect(state?.consecutiveFailures).toBe(5)
    // Fifth failure: 5 min doubled three times, ±10 %.
    expect(nextAttemptMs - lastFailureMs).toBeGreaterThanOrEqual(36 * MINUTE_MS)
    expect(nextAttemptMs - lastFailureMs).toBeLessThanOrEqual(44 * MINUTE_MS)
    expect(skipped.sources.skipped).toBe(1)
    expect(retried.sources.failed).toBe(1)
    expect(requestsTo('/feed.xml')).toBe(6)
  })

  it('honours a 503 Retry-After in seconds even on the first failure', async () => {
    cycle.server.routes['/feed.xml'] = failWith(503, { 'retry-after': '7200' })
    const config = feedConfig()

    await runCycleAt(config, at(0))

    expect((await readSourceState(config, 'nbd'))?.nextAttemptAt).toBe(at(7200_000).toISOString())
  })

  it('honours a 429 Retry-After given as an HTTP-date, measured against the response Date', async () => {
    cycle.server.routes['/feed.xml'] = failWith(429, {
      date: 'Wed, 12 Jan 2022 00:00:00 GMT',
      'retry-after': 'Wed, 12 Jan 2022 03:00:00 GMT',
    })
    const config = feedConfig()

    await runCycleAt(config, at(0))

    expect((await readSourceState(config, 'nbd'))?.nextAttemptAt).toBe(at(3 * 60 * MINUTE_MS).toISOString())
  })

  it('does not fetch a source while its Retry-After lasts', async () => {
    cycle.server.routes['/feed.xml'] = failWith(429, { 'retry-after': '3600' })
    const config = feedConfig()
    await runCycleAt(config, at(0))

    const summary = await runCycleAt(config, at(30 * MINUTE_MS))

    expect(summary.sources.skipped).toBe(1)
    expect(requestsTo('/feed.xml')).toBe(1)
  })
})

describe('onSourceDone', () => {
  it('is called once per source with its status, entries and duration', async () => {
    cycle.server.routes['/a.xml'] = rssWith('一', '二')
    cycle.server.routes['/b.xml'] = failWith(500)
    const config = createCycleConfig(cycle.dir, [
      { id: 'a', type: 'feed', url: `${cycle.server.url}/a.xml`, category: 'a' },
      { id: 'b', type: 'feed', url: `${cycle.server.url}/b.xml`, category: 'b' },
    ])
    const events: SourceDoneEvent[] = []

    await runCycleAt(config, at(0), { onSourceDone: (event) => events.push(event) })

    expect(events.sort((x, y) => x.sourceId.localeCompare(y.sourceId))).toEqual([
      { sourceId: 'a', status: 'ok', entries: 2, durationMs: expect.any(Number) },
      { sourceId: 'b', status: 'failed', entries: 0, durationMs: expect.any(Number), error: { code: 'E_FETCH_STATUS', message: expect.stringContaining('HTTP 500') } },
    ])
  })

  it('reports a source skipped for backoff as skipped, with when it is due', async () => {
    cycle.server.routes['/feed.xml'] = failWith(503, { 'retry-after': '600' })
    const config = feedConfig()
    await runCycleAt(config, at(0))
    const events: SourceDoneEvent[] = []

    await runCycleAt(config, at(MINUTE_MS), { onSourceDone: (event) => events.push(event) })

    expect(events).toEqual([{ sourceId: 'nbd', status: 'skipped', entries: 0, durationMs: expect.any(Number), nextAttemptAt: at(600_000).toISOString() }])
  })

  it('does not fail the cycle when it throws', async () => {
    cycle.server.routes['/feed.xml'] = rssWith('一')
    const config = feedConfig()

    const summary = await runCycleAt(config, at(0), {
      onSourceDone: () => {
        throw new Error('broken progress bar')
      },
    })

    expect(summary.items.added).toBe(1)
  })
})

describe('redirects', () => {
  it('records a 301 seen once as pending and keeps fetching the configured URL', async () => {
    cycle.server.routes['/old.xml'] = redirectTo(301, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = rssWith('一')
    const config = feedConfig('/old.xml')

    await runCycleAt(config, at(0))

    const state = await readSourceState(config, 'nbd')
    expect(state?.pendingRedirect).toBe(`${cycle.server.url}/new.xml`)
    expect(state?.effectiveUrl).toBeUndefined()
    expect(state?.configuredUrl).toBe(`${cycle.server.url}/old.xml`)
  })

  it('adopts a 308 target seen on two consecutive cycles and then fetches it directly', async () => {
    cycle.server.routes['/old.xml'] = redirectTo(308, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = rssWith('一')
    const config = feedConfig('/old.xml')

    await runCycleAt(config, at(0))
    await runCycleAt(config, at(MINUTE_MS))
    await runCycleAt(config, at(2 * MINUTE_MS))

    const state = await readSourceState(config, 'nbd')
    expect(state?.effectiveUrl).toBe(`${cycle.server.url}/new.xml`)
    expect(state?.pendingRedirect).toBeUndefined()
    expect(requestsTo('/old.xml')).toBe(2)
    expect(requestsTo('/new.xml')).toBe(3)
  })

  it('confirms a 301 although the target supports conditional GET', async () => {
    cycle.server.routes['/old.xml'] = redirectTo(301, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end()
      res.writeHead(200, { etag: '"v1"', 'content-type': 'application/xml' }).end(rssWith('一'))
    }
    const config = feedConfig('/old.xml')

    await runCycleAt(config, at(0))
    await runCycleAt(config, at(MINUTE_MS))

    expect((await readSourceState(config, 'nbd'))?.effectiveUrl).toBe(`${cycle.server.url}/new.xml`)
  })

  it('never adopts a 302 or 307 target, however often it is seen', async () => {
    cycle.server.routes['/a.xml'] = redirectTo(302, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/b.xml'] = redirectTo(307, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = rssWith('一')
    const config = createCycleConfig(cycle.dir, [
      { id: 'a', type: 'feed', url: `${cycle.server.url}/a.xml`, category: 'a' },
      { id: 'b', type: 'feed', url: `${cycle.server.url}/b.xml`, category: 'b' },
    ])

    for (let cycle = 0; cycle < 3; cycle++) await runCycleAt(config, at(cycle * MINUTE_MS))

    for (const id of ['a', 'b']) {
      const state = await readSourceState(config, id)
      expect(state?.effectiveUrl).toBeUndefined()
      expect(state?.pendingRedirect).toBeUndefined()
    }
  })

  it('forgets a pending 301 when the next cycle is answered without it', async () => {
    cycle.server.routes['/old.xml'] = redirectTo(301, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = rssWith('一')
    const config = feedConfig('/old.xml')
    await runCycleAt(config, at(0))
    cycle.server.routes['/old.xml'] = rssWith('一')

    await runCycleAt(config, at(MINUTE_MS))

    const state = await readSourceState(config, 'nbd')
    expect(state?.pendingRedirect).toBeUndefined()
    expect(state?.effectiveUrl).toBeUndefined()
    expect(state?.configuredUrl).toBeUndefined()
  })

  it('forgets the effective URL when the configured URL changes', async () => {
    cycle.server.routes['/old.xml'] = redirectTo(301, `${cycle.server.url}/new.xml`)
    cycle.server.routes['/new.xml'] = rssWith('一')
    cycle.server.routes['/other.xml'] = rssWith('一')
    await runCycleAt(feedConfig('/old.xml'), at(0))
    await runCycleAt(feedConfig('/old.xml'), at(MINUTE_MS))

    await runCycleAt(feedConfig('/other.xml'), at(2 * MINUTE_MS))

    expect((await readSourceState(feedConfig('/other.xml'), 'nbd'))?.effectiveUrl).toBeUndefined()
    expect(requestsTo('/other.xml')).toBe(1)
  })
})

describe('410 Gone', () => {
  it('retires the source: recorded with the URL it was retired at, and not fetched again', async () => {
    cycle.server.routes['/feed.xml'] = failWith(410)
    const config = feedConfig()

    const first = await runCycleAt(config, at(0))
    const later = await runCycleAt(config, at(48 * 60 * MINUTE_MS))

    expect(first.failures).toEqual([{ sourceId: 'nbd', code: 'E_FETCH_GONE', message: expect.stringContaining('410') }])
    expect(later.sources.retired).toBe(1)
    expect(requestsTo('/feed.xml')).toBe(1)
    expect(await readSourceState(config, 'nbd')).toMatchObject({
      retiredAt: at(0).toISOString(),
      configuredUrl: `${cycle.server.url}/feed.xml`,
      lastError: { code: 'E_FETCH_GONE', status: 410 },
    })
  })

  it('fetches a retired source again once its configured URL changes', async () => {
    cycle.server.routes['/feed.xml'] = failWith(410)
    cycle.server.routes['/moved.xml'] = rssWith('一')
    await runCycleAt(feedConfig('/feed.xml'), at(0))

    const summary = await runCycleAt(feedConfig('/moved.xml'), at(MINUTE_MS))

    expect(summary.items.added).toBe(1)
    const state = await readSourceState(feedConfig('/moved.xml'), 'nbd')
    expect(state?.retiredAt).toBeUndefined()
    expect(state?.consecutiveFailures).toBe(0)
  })

  it('does not retire a share source whose page answered 410', async () => {
    cycle.server.routes['/NewsShare.html'] = failWith(410)
    const config = createCycleConfig(cycle.dir, [{ id: 'picked', type: 'share', urls: [`${cycle.server.url}/NewsShare.html?infoCode=NW1`], category: 'c' }])

    await runCycleAt(config, at(0))

    expect((await readSourceState(config, 'picked'))?.retiredAt).toBeUndefined()
  })
})
