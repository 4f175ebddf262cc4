import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { TEST_USER_AGENT, createTestFetchers, headersSentTo } from './fetch-test-helpers.js'

const RSS = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>每日经济新闻</title></channel></rss>'
const ETAG = '"v1"'
const LAST_MODIFIED = 'Tue, 11 Jan 2022 05:35:18 GMT'

function compressedRoute(encoding: string, body: Buffer) {
  return { body, headers: { 'content-encoding': encoding } }
}

describe('createFetcher: successful fetches', () => {
  let server: FeedServer
  let fetcher: Fetcher
  const fetchers = createTestFetchers()

  beforeAll(async () => {
    server = await createFeedServer({
      '/feed.xml': { body: RSS, headers: { etag: ETAG, 'last-modified': LAST_MODIFIED } },
      '/conditional.xml': (req, res) => {
        if (req.headers['if-none-match'] === ETAG) res.writeHead(304, { etag: ETAG }).end()
        else res.writeHead(200, { 'content-type': 'application/xml', etag: ETAG }).end(RSS)
      },
      '/gzip.xml': compressedRoute('gzip', gzipSync(RSS)),
      '/br.xml': compressedRoute('br', brotliCompressSync(RSS)),
      '/deflate.xml': compressedRoute('deflate', deflateSync(RSS)),
    })
    fetcher = fetchers.create()
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  it('returns a UTF-8 body with its status, validators and charset', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/feed.xml` })
    expect(result).toEqual({
      status: 'ok',
      url: `${server.url}/feed.xml`,
      httpStatus: 200,
      text: RSS,
      bytes: Buffer.byteLength(RSS),
      contentType: 'application/xml; charset=utf-8',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      charset: { encoding: 'utf-8', reason: 'header' },
    })
  })

  it('sends the configured User-Agent', async () => {
    await fetcher.fetchText({ url: `${server.url}/feed.xml?ua` })
    expect(headersSentTo(server, '/feed.xml?ua')['user-agent']).toBe(TEST_USER_AGENT)
  })

  it('asks for feed types by default', async () => {
    await fetcher.fetchText({ url: `${server.url}/feed.xml?accept` })
    expect(headersSentTo(server, '/feed.xml?accept').accept).toMatch(/^application\/rss\+xml, application\/atom\+xml/)
  })

  it('sends a caller-given Accept instead of the default', async () => {
    await fetcher.fetchText({ url: `${server.url}/feed.xml?custom-accept`, accept: 'application/json' })
    expect(headersSentTo(server, '/feed.xml?custom-accept').accept).toBe('application/json')
  })

  it('offers gzip, deflate and br', async () => {
    await fetcher.fetchText({ url: `${server.url}/feed.xml?encoding` })
    expect(headersSentTo(server, '/feed.xml?encoding')['accept-encoding']).toBe('gzip, deflate, br')
  })

  it('sends If-None-Match and If-Modified-Since from the conditional state', async () => {
    await fetcher.fetchText({
      url: `${server.url}/feed.xml?conditional`,
      conditional: { etag: ETAG, lastModified: LAST_MODIFIED },
    })
    const headers = headersSentTo(server, '/feed.xml?conditional')
    expect([headers['if-none-match'], headers['if-modified-since']]).toEqual([ETAG, LAST_MODIFIED])
  })

  it('resolves a 304 as not-modified', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/conditional.xml`, conditional: { etag: ETAG } })
    expect(result).toEqual({ status: 'not-modified', url: `${server.url}/conditional.xml` })
  })

  it('sends no conditional headers without conditional state', async () => {
    await fetcher.fetchText({ url: `${server.url}/conditional.xml?plain` })
    const headers = headersSentTo(server, '/conditional.xml?plain')
    expect([headers['if-none-match'], headers['if-modified-since']]).toEqual([undefined, undefined])
  })

  it.each(['gzip', 'br', 'deflate'])('decodes a %s body', async (encoding) => {
    const result = await fetcher.fetchText({ url: `${server.url}/${encoding}.xml` })
    expect(result).toMatchObject({ status: 'ok', text: RSS, bytes: Buffer.byteLength(RSS) })
  })
})
