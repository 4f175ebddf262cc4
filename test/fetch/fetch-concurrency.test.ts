import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createTestFetchers } from './fetch-test-helpers.js'

const PARALLEL_REQUESTS = 6
const BODY_DELAY_MS = 60

/** Counts requests in flight; each sends its headers at once and ends its body later. */
function createInFlightCounter(): { handle(res: ServerResponse): void; maxInFlight(): number; reset(): void } {
  let inFlight = 0
  let maxInFlight = 0
  return {
    handle(res) {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      res.writeHead(200, { 'content-type': 'application/xml' }).write('<rss>')
      setTimeout(() => {
        inFlight -= 1
        res.end('</rss>')
      }, BODY_DELAY_MS)
    },
    maxInFlight: () => maxInFlight,
    reset() {
      maxInFlight = 0
    },
  }
}

describe('createFetcher: concurrency', () => {
  let server: FeedServer
  const counter = createInFlightCounter()
  const fetchers = createTestFetchers()

  beforeAll(async () => {
    server = await createFeedServer({ '/slow.xml': (_req, res) => counter.handle(res) })
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  async function fetchInParallel(options: { concurrency: number; perHost: number }): Promise<number> {
    counter.reset()
    const fetcher = fetchers.create(options)
    const urls = Array.from({ length: PARALLEL_REQUESTS }, (_, index) => `${server.url}/slow.xml?n=${index}`)
    await Promise.all(urls.map((url) => fetcher.fetchText({ url })))
    return counter.maxInFlight()
  }

  it('keeps at most perHost requests in flight to one host, bodies included', async () => {
    expect(await fetchInParallel({ concurrency: 8, perHost: 2 })).toBe(2)
  })

  it('keeps at most concurrency requests in flight overall', async () => {
    expect(await fetchInParallel({ concurrency: 3, perHost: 8 })).toBe(3)
  })

  it('runs requests in parallel up to the limits', async () => {
    expect(await fetchInParallel({ concurrency: 8, perHost: 8 })).toBe(PARALLEL_REQUESTS)
  })
})
