import { readdirSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { runCycle } from '../../src/pipeline/run-cycle.js'
import type { Logger } from '../../src/types.js'
import { closedPort, createFeedServer, type FeedServer, type Route } from '../helpers/feed-server.js'

const MAX_BYTES = 1024 * 1024
const SOURCES = 12
const CONCURRENCY = 8
const CYCLES = 100

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} }

/** Writes feed-looking text forever, as fast as the client reads it. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/xml' })
  const chunk = Buffer.alloc(256 * 1024, '<item><title>x</title></item>')
  const writeMore = (): void => {
    while (!res.destroyed && res.write(chunk)) {}
    if (!res.destroyed) res.once('drain', writeMore)
  }
  writeMore()
}

/** A valid feed just under the byte cap: parsed whole, so its cost is the cap's, not the server's. */
function largeFeed(): Buffer {
  const item = (n: number) =>
    `<item><title>large ${n}</title><link>https://large.example/${n}</link><description><![CDATA[<p>${'word '.repeat(4_000)}</p>]]></description></item>`
  const items: string[] = []
  let bytes = 200
  for (let n = 0; bytes < MAX_BYTES * 0.9; n += 1) {
    const next = item(n)
    items.push(next)
    bytes += next.length
  }
  return Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>large</title><link>https://large.example/</link>${items.join('')}</channel></rss>`)
}

let server: FeedServer
let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'feedloom-resources-'))
  const large = largeFeed()
  const routes: Record<string, Route> = {
    '/good.xml': `<?xml version="1.0"?><rss version="2.0"><channel><title>g</title><link>https://good.example/</link><item><title>one</title><link>https://good.example/1</link></item></channel></rss>`,
    '/missing.xml': { status: 404, body: 'no' },
    '/malformed.xml': '<rss version="2.0"><channel><title>x</titel>',
  }
  for (let n = 0; n < SOURCES; n += 1) routes[n % 2 === 0 ? `/endless-${n}.xml` : `/large-${n}.xml`] = n % 2 === 0 ? (_req, res) => endless(res) : large
  server = await createFeedServer(routes)
})

afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

function configFor(name: string, sources: { id: string; url: string }[], fetch: object) {
  return loadConfig({
    baseDir: join(root, name),
    fileText: JSON.stringify({
      site: { title: 'resources', url: 'https://news.example.com/' },
      store: { path: 'store/db.json', maxAgeDays: 36500, maxItemsPerCategory: 100_000 },
      output: { dir: 'out' },
      fetch,
      sources: sources.map((source) => ({ ...source, type: 'feed', category: source.id })),
    }),
  })
}

// Parsing stays on this thread (fetch.workers 0): what is measured is what a cycle holds and opens
// per source; parse threads add a fixed heap and event loop each, which the bench reports.
describe('bounded resources', () => {
  it(`keeps peak memory of a cycle over ${SOURCES} endless or cap-sized feeds within a bound set by the caps`, async () => {
    const sources = Array.from({ length: SOURCES }, (_, n) => ({
      id: `source-${n}`,
      url: `${server.url}/${n % 2 === 0 ? 'endless' : 'large'}-${n}.xml`,
    }))
    const config = configFor('memory', sources, { maxBytes: MAX_BYTES, timeoutMs: 15_000, concurrency: CONCURRENCY, perHost: CONCURRENCY, workers: 0 })
    globalThis.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    const summary = await runCycle({ config, log: quiet }).finally(() => clearInterval(sampler))
    peak = Math.max(peak, process.memoryUsage().rss)
    // Each source in flight holds at most maxBytes of body, its text and its parse tree; the rest
    // is the process. Without the byte cap the endless bodies alone grow without limit.
    const boundBytes = CONCURRENCY * MAX_BYTES * 12 + 150 * 1024 * 1024
    expect({ failed: summary.sources.failed, withinBound: peak - baseline < boundBytes }).toEqual({ failed: SOURCES / 2, withinBound: true })
  }, 60_000)

  it(`leaks no socket or file descriptor across ${CYCLES} cycles`, async () => {
    const sources = [
      { id: 'good', url: `${server.url}/good.xml` },
      { id: 'missing', url: `${server.url}/missing.xml` },
      { id: 'malformed', url: `${server.url}/malformed.xml` },
      { id: 'refused', url: `http://127.0.0.1:${await closedPort()}/feed.xml` },
    ]
    const config = configFor('descriptors', sources, { timeoutMs: 2_000, workers: 0 })
    const openDescriptors = () => readdirSync('/proc/self/fd').length
    // The first cycle loads what stays loaded (and opens what stays open, such as the event loop's own).
    await runCycle({ config, log: quiet })
    const before = openDescriptors()
    // Each cycle a month on, past any backoff, so that every source is fetched every time.
    for (let cycle = 0; cycle < CYCLES; cycle += 1) await runCycle({ config, log: quiet, now: () => new Date(Date.now() + (cycle + 1) * 30 * 86_400_000) })
    await new Promise((resolveWait) => setTimeout(resolveWait, 50))
    expect(openDescriptors() - before).toBeLessThanOrEqual(2)
  }, 60_000)
})
