import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { readStatus } from '../../src/pipeline/read-status.js'
import type { Route } from '../helpers/feed-server.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'
import { createCycleConfig, readSourceState, rssWith, runCycleAt, useCycleServer } from './cycle-test-helpers.js'

const T0 = new Date('2022-01-12T00:00:00.000Z')
const minutesAfter = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const cycle = useCycleServer()

function listOf(count: number): string {
  const record = Array.from({ length: count }, (_, i) => ({ infoCode: `NW${1000 + i}`, title: `标题${i}`, digest: `摘要${i}` }))
  return JSON.stringify({ record })
}

function jsonSource() {
  return {
    id: 'em-list',
    type: 'json',
    url: `${cycle.server.url}/api/list`,
    items: 'record',
    fields: { infoCode: 'infoCode', title: 'title', summary: 'digest' },
    detail: { url: `${cycle.server.url}/api/detail?id={infoCode}`, content: 'text' },
    shareLink: 'https://finews.example.com/NewsShare.html?infoCode={infoCode}',
    category: 'em',
  }
}

const goodFeed = () => ({ id: 'good', type: 'feed', url: `${cycle.server.url}/good.xml`, category: 'good' })

const detailOk: Route = (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"<p>正文</p>"}')
const detailNever: Route = () => {}

function detailRequests(): number {
  return cycle.server.requests.filter((request) => request.path.startsWith('/api/detail')).length
}

async function storedContents(config: { store: { path: string } }): Promise<number> {
  const data = await readStoreSnapshot(config.store.path)
  return data.items.filter((item) => item.category === 'em' && item.content !== undefined).length
}

describe('article fetches: per-source budget', () => {
  it('fetches at most fetch.articlesPerSource details a cycle, shows the rest as degraded and fetches them on later cycles', async () => {
    cycle.server.routes['/api/list'] = listOf(25)
    cycle.server.routes['/api/detail'] = detailOk
    const config = createCycleConfig(cycle.dir, [jsonSource()], { fetch: { timeoutMs: 5000, articlesPerSource: 10 } })

    await runCycleAt(config, minutesAfter(0))
    expect([detailRequests(), await storedContents(config)]).toEqual([10, 10])
    expect((await readSourceState(config, 'em-list'))?.degraded).toEqual([
      '15 details left for a later cycle: at most 10 are fetched per cycle (fetch.articlesPerSource)',
    ])
    expect((await readStatus(config, minutesAfter(0))).sources[0]?.state).toBe('degraded')

    await runCycleAt(config, minutesAfter(5))
    await runCycleAt(config, minutesAfter(10))
    expect([detailRequests(), await storedContents(config)]).toEqual([25, 25])
    expect((await readSourceState(config, 'em-list'))?.degraded).toBeUndefined()
    expect((await readStatus(config, minutesAfter(10))).sources[0]?.state).toBe('ok')
  })

  it('fetches at most fetch.articlesPerSource share pages a cycle', async () => {
    const page = (n: number): Route => ({
      body: `<html><head><title>分享${n}</title></head><body><article><p>第${n}篇正文，足够长的一段文字。</p></article></body></html>`,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    })
    for (const n of [1, 2, 3]) cycle.server.routes[`/share/${n}.html`] = page(n)
    const urls = [1, 2, 3].map((n) => `${cycle.server.url}/share/${n}.html`)
    const config = createCycleConfig(cycle.dir, [{ id: 'picked', type: 'share', urls, category: 'picked' }], {
      fetch: { timeoutMs: 5000, articlesPerSource: 2 },
    })

    const first = await runCycleAt(config, minutesAfter(0))
    expect(first.items.added).toBe(2)
    expect((await readSourceState(config, 'picked'))?.degraded).toEqual([
      '1 share pages left for a later cycle: at most 2 are fetched per cycle (fetch.articlesPerSource)',
    ])

    const second = await runCycleAt(config, minutesAfter(5))
    expect(second.items.added).toBe(1)
    expect((await readSourceState(config, 'picked'))?.degraded).toBeUndefined()
  })
})

describe('article fetches: backoff', () => {
  it('stops fetching details that failed on two cycles in a row until a backoff passes, then fetches them again', async () => {
    cycle.server.routes['/api/list'] = listOf(3)
    cycle.server.routes['/api/detail'] = { body: 'down', status: 500 }
    const config = createCycleConfig(cycle.dir, [jsonSource()])

    await runCycleAt(config, minutesAfter(0))
    expect(detailRequests()).toBe(3)
    expect((await readSourceState(config, 'em-list'))?.degraded).toEqual(['3 of 3 detail fetches failed'])

    await runCycleAt(config, minutesAfter(1))
    expect(detailRequests()).toBe(6)
    const retryAt = (await readSourceState(config, 'em-list'))?.articlesRetryAt ?? ''
    expect((await readSourceState(config, 'em-list'))?.degraded).toEqual([
      `3 of 3 detail fetches failed, every one on the last 2 cycles; tried again after ${retryAt}`,
    ])

    await runCycleAt(config, minutesAfter(2))
    expect(detailRequests()).toBe(6)
    expect((await readSourceState(config, 'em-list'))?.degraded).toEqual([
      `3 details wait until ${retryAt}: every detail fetch failed on the last 2 cycles`,
    ])

    cycle.server.routes['/api/detail'] = detailOk
    await runCycleAt(config, minutesAfter(60))
    expect([detailRequests(), await storedContents(config)]).toEqual([9, 3])
    const state = await readSourceState(config, 'em-list')
    expect([state?.degraded, state?.articleFailures, state?.articlesRetryAt]).toEqual([undefined, undefined, undefined])
  })
})

describe('article fetches: the cycle deadline', () => {
  it('60 details that never answer at timeoutMs 2000 hold the cycle only until its deadline, and a feed on the same host stays healthy', async () => {
    cycle.server.routes['/api/list'] = listOf(60)
    cycle.server.routes['/api/detail'] = detailNever
    cycle.server.routes['/good.xml'] = rssWith('好消息')
    const config = createCycleConfig(cycle.dir, [jsonSource(), goodFeed()], {
      fetch: { timeoutMs: 2000, perHost: 2, cycleDeadlineMs: 3000 },
    })

    const first = await runCycleAt(config, minutesAfter(0))
    expect(first.sources).toMatchObject({ ok: 2, failed: 0 })
    // perHost 2: two fetches time out at 2 s, two more are stopped by the deadline at 3 s, the rest never start.
    expect(detailRequests()).toBeLessThanOrEqual(4)
    const degraded = (await readSourceState(config, 'em-list'))?.degraded ?? []
    expect(degraded).toContain('40 details left for a later cycle: at most 20 are fetched per cycle (fetch.articlesPerSource)')
    expect(degraded.some((reason) => /^\d+ details left for a later cycle: the cycle deadline passed \(fetch\.cycleDeadlineMs\)$/.test(reason))).toBe(true)
    const good = await readSourceState(config, 'good')
    expect([good?.consecutiveFailures, good?.lastError, good?.nextAttemptAt, good?.degraded]).toEqual([0, undefined, undefined, undefined])
    expect(JSON.parse(await readFile(`${cycle.dir}/out/good/feed.json`, 'utf8')).items).toHaveLength(1)

    await runCycleAt(config, minutesAfter(1))
    const requestsBefore = detailRequests()
    await runCycleAt(config, minutesAfter(2))
    expect(detailRequests()).toBe(requestsBefore)
    expect((await readStatus(config, minutesAfter(2))).sources.map((health) => [health.id, health.state])).toEqual([
      ['em-list', 'degraded'],
      ['good', 'ok'],
    ])
  })
})
