import type { ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchError } from '../../src/errors.js'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { closedPort, createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { catchFetchError, createTestFetchers } from './fetch-test-helpers.js'

const MAX_BYTES = 1024 * 1024
const DEADLINE_MS = 300

/** Writes a byte every 50 ms forever: never idle long enough for undici's bodyTimeout. */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/xml' })
  const timer = setInterval(() => res.write('<'), 50)
  res.on('close', () => clearInterval(timer))
}

/** Streams `totalBytes` without a Content-Length, in 64 KiB chunks. */
function streamChunked(res: ServerResponse, totalBytes: number): void {
  res.writeHead(200, { 'content-type': 'application/xml' })
  const chunk = Buffer.alloc(64 * 1024, 'a')
  let sentBytes = 0
  const writeMore = (): void => {
    while (sentBytes < totalBytes && !res.destroyed) {
      sentBytes += chunk.length
      if (!res.write(chunk)) {
        res.once('drain', writeMore)
        return
      }
    }
    res.end()
  }
  writeMore()
}

async function timeFetchError(promise: Promise<unknown>): Promise<{ err: FetchError; elapsedMs: number }> {
  const startedMs = Date.now()
  const err = await catchFetchError(promise)
  return { err, elapsedMs: Date.now() - startedMs }
}

describe('createFetcher: failures', () => {
  let server: FeedServer
  let fetcher: Fetcher
  let quickFetcher: Fetcher
  const fetchers = createTestFetchers()

  beforeAll(async () => {
    server = await createFeedServer({
      '/missing.xml': { body: 'nope', status: 404 },
      '/broken.xml': { body: 'oops', status: 500 },
      '/unavailable.xml': { body: 'later', status: 503 },
      '/unavailable-later.xml': { body: 'later', status: 503, headers: { 'retry-after': '30' } },
      '/busy-seconds.xml': { body: 'slow down', status: 429, headers: { 'retry-after': '120' } },
      '/busy-date.xml': (_req, res) => {
        const retryAt = new Date(Date.now() + 120_000).toUTCString()
        res.writeHead(429, { 'retry-after': retryAt }).end('slow down')
      },
      '/gone.xml': { body: 'gone', status: 410 },
      '/empty.xml': '',
      '/blank.xml': ' \n\t ',
      '/exact.xml': Buffer.alloc(MAX_BYTES, 'a'),
      '/large.xml': Buffer.alloc(MAX_BYTES + 1, 'a'),
      '/declared-large.xml': (_req, res) => {
        // Announces 100 MB, sends a few bytes and stalls: only the Content-Length check can fail fast.
        res.writeHead(200, { 'content-length': String(100 * MAX_BYTES) }).write('<rss>')
      },
      '/chunked-large.xml': (_req, res) => streamChunked(res, 2 * MAX_BYTES),
      '/bomb.xml': compressedBomb(),
      '/no-headers.xml': () => {},
      '/trickle.xml': (_req, res) => trickle(res),
    })
    fetcher = fetchers.create({ maxBytes: MAX_BYTES })
    quickFetcher = fetchers.create({ timeoutMs: DEADLINE_MS })
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  it('fails a 404 with E_FETCH_STATUS and the status', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/missing.xml` }))
    expect([err.code, err.status]).toEqual(['E_FETCH_STATUS', 404])
  })

  it('names the URL and the status in the message', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/broken.xml` }))
    expect(err.message).toBe(`fetch failed for ${server.url}/broken.xml: HTTP 500`)
  })

  it('leaves retryAfterMs unset on a 503 without Retry-After', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/unavailable.xml` }))
    expect([err.code, err.status, err.retryAfterMs]).toEqual(['E_FETCH_STATUS', 503, undefined])
  })

  it('reads a Retry-After in seconds on a 503', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/unavailable-later.xml` }))
    expect([err.status, err.retryAfterMs]).toEqual([503, 30_000])
  })

  it('reads a Retry-After in seconds on a 429', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/busy-seconds.xml` }))
    expect([err.status, err.retryAfterMs]).toEqual([429, 120_000])
  })

  it('reads a Retry-After HTTP-date on a 429', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/busy-date.xml` }))
    // HTTP-dates have whole seconds, so allow a second either way.
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(119_000)
    expect(err.retryAfterMs).toBeLessThanOrEqual(121_000)
  })

  it('fails a 410 with E_FETCH_GONE', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/gone.xml` }))
    expect([err.code, err.status]).toEqual(['E_FETCH_GONE', 410])
  })

  it('fails a 200 with an empty body with E_FETCH_EMPTY', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/empty.xml` }))
    expect(err.code).toBe('E_FETCH_EMPTY')
  })

  it('fails a whitespace-only body with E_FETCH_EMPTY', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/blank.xml` }))
    expect(err.code).toBe('E_FETCH_EMPTY')
  })

  it('accepts a body of exactly maxBytes', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/exact.xml` })
    expect(result).toMatchObject({ status: 'ok', bytes: MAX_BYTES })
  })

  it('fails a body one byte over maxBytes with E_FETCH_TOO_LARGE', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/large.xml` }))
    expect(err.code).toBe('E_FETCH_TOO_LARGE')
  })

  it('fails on a Content-Length over maxBytes without waiting for the body', async () => {
    const { err, elapsedMs } = await timeFetchError(fetcher.fetchText({ url: `${server.url}/declared-large.xml` }))
    expect(err.code).toBe('E_FETCH_TOO_LARGE')
    expect(elapsedMs).toBeLessThan(1_000)
  })

  it('fails a chunked body without Content-Length once it passes maxBytes', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/chunked-large.xml` }))
    expect(err.code).toBe('E_FETCH_TOO_LARGE')
  })

  it('stops a gzip bomb by its decompressed size', async () => {
    const { err, elapsedMs } = await timeFetchError(fetcher.fetchText({ url: `${server.url}/bomb.xml` }))
    expect(err.code).toBe('E_FETCH_TOO_LARGE')
    expect(elapsedMs).toBeLessThan(1_000)
  })

  it('times out when the headers never come', async () => {
    const { err, elapsedMs } = await timeFetchError(quickFetcher.fetchText({ url: `${server.url}/no-headers.xml` }))
    expect(err.code).toBe('E_FETCH_TIMEOUT')
    expect(elapsedMs).toBeLessThan(DEADLINE_MS * 3)
  })

  it('times out a body that trickles past the total deadline', async () => {
    const { err, elapsedMs } = await timeFetchError(quickFetcher.fetchText({ url: `${server.url}/trickle.xml` }))
    expect(err.code).toBe('E_FETCH_TIMEOUT')
    expect(elapsedMs).toBeLessThan(DEADLINE_MS * 3)
  })

  it('names the deadline in a timeout message', async () => {
    const err = await catchFetchError(quickFetcher.fetchText({ url: `${server.url}/trickle.xml?message` }))
    expect(err.message).toBe(`fetch failed for ${server.url}/trickle.xml?message: timed out after ${DEADLINE_MS} ms`)
  })

  it('fails a refused connection with E_FETCH_NETWORK, keeping the cause', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/feed.xml`
    const err = await catchFetchError(fetcher.fetchText({ url }))
    expect([err.code, err.url, err.message, err.cause]).toEqual([
      'E_FETCH_NETWORK',
      url,
      `fetch failed for ${url}: connection refused (ECONNREFUSED)`,
      expect.any(Error),
    ])
  })

  it('refuses a URL that is not http(s) without a request', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: 'file:///etc/passwd' }))
    expect(err.code).toBe('E_FETCH_NETWORK')
  })
})

function compressedBomb(): { body: Buffer; headers: Record<string, string> } {
  return { body: gzipSync(Buffer.alloc(50 * MAX_BYTES)), headers: { 'content-encoding': 'gzip' } }
}
