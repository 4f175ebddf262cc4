import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { Route } from '../helpers/feed-server.js'
import { createCycleConfig, readSourceState, rssWith, runCycleAt, useCycleServer } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')

const cycle = useCycleServer()

const html = (body: string): Route => ({ body, headers: { 'content-type': 'text/html; charset=utf-8' } })

function nestedDivs(depth: number): string {
  return `<!doctype html><html><head><title>深</title></head><body>${'<div>'.repeat(depth)}<p>正文</p>${'</div>'.repeat(depth)}</body></html>`
}

/** Under both page caps, yet seconds of Readability: on the main thread it would stall every other source. */
const SLOW_PAGE = `<!doctype html><html><head><title>慢页面</title></head><body>${'<div>'.repeat(250)}<p>段落文字。</p>${'</div>'.repeat(250)}</body></html>`

/** A good feed that answers well within its deadline: only a stalled main thread makes it time out. */
const slowGoodFeed: Route = (_req, res) => {
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/xml' }).end(rssWith('好消息')), 500)
}

/** Readability over two such pages takes longer than this on the main thread. */
const TIMEOUT_MS = 5_000

describe('pathological pages beside a good feed', () => {
  it("keeps the good feed's item and health while share and full-text pages are refused or parsed off the main thread", async () => {
    cycle.server.routes['/share/deep.html'] = html(nestedDivs(2_000))
    cycle.server.routes['/share/deeper.html'] = html(nestedDivs(150_000))
    cycle.server.routes['/share/slow.html'] = html(SLOW_PAGE)
    cycle.server.routes['/share/slow-too.html'] = html(SLOW_PAGE.replace('慢页面', '又一个慢页面'))
    cycle.server.routes['/full.xml'] = `<?xml version="1.0"?><rss version="2.0"><channel><title>全文</title><link>${cycle.server.url}/</link><item><title>摘要</title><link>${cycle.server.url}/share/deep.html</link><description>只有摘要</description></item></channel></rss>`
    cycle.server.routes['/good.xml'] = slowGoodFeed
    const pages = ['deep', 'deeper', 'slow', 'slow-too'].map((name) => `${cycle.server.url}/share/${name}.html`)
    const config = createCycleConfig(
      cycle.dir,
      [
        { id: 'picked', type: 'share', urls: pages, category: 'picked' },
        { id: 'full', type: 'feed', url: `${cycle.server.url}/full.xml`, category: 'full', fullText: true },
        { id: 'good', type: 'feed', url: `${cycle.server.url}/good.xml`, category: 'good' },
      ],
      // Every request at once, as from many hosts: the good feed waits on its server, not on a host slot.
      { fetch: { timeoutMs: TIMEOUT_MS, perHost: 8 } },
    )

    const summary = await runCycleAt(config, NOW)

    const good = await readSourceState(config, 'good')
    expect([good?.consecutiveFailures, good?.lastError, good?.nextAttemptAt]).toEqual([0, undefined, undefined])
    expect(JSON.parse(await readFile(`${cycle.dir}/out/good/feed.json`, 'utf8')).items.map((item: { title: string }) => item.title)).toEqual(['好消息'])
    expect(summary.sources).toMatchObject({ ok: 3, failed: 0 })
    expect((await readSourceState(config, 'full'))?.degraded).toEqual(['1 of 1 full-text page fetches failed'])
    const picked = JSON.parse(await readFile(`${cycle.dir}/out/picked/feed.json`, 'utf8')).items.map((item: { title: string }) => item.title)
    expect(picked.sort()).toEqual(['又一个慢页面', '慢页面'])
  }, 60_000)

  it('fails a share source whose pages nest too deep with E_PARSE_TOO_DEEP and a message naming the page', async () => {
    cycle.server.routes['/share/deep.html'] = html(nestedDivs(2_000))
    const url = `${cycle.server.url}/share/deep.html`
    const config = createCycleConfig(cycle.dir, [{ id: 'picked', type: 'share', urls: [url], category: 'picked' }])

    const summary = await runCycleAt(config, NOW)

    expect(summary.failures).toEqual([
      { sourceId: 'picked', code: 'E_PARSE_TOO_DEEP', message: `cannot extract an article from ${url}: its elements nest deeper than 256 levels` },
    ])
  })
})
