import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { createFeedServer, type FeedServer, type Route } from '../helpers/feed-server.js'
import { catchFetchError, createTestFetchers } from './fetch-test-helpers.js'

const RSS = '<rss version="2.0"><channel><title>redirected</title></channel></rss>'

function redirect(status: number, location?: string): Route {
  return (_req, res) => res.writeHead(status, location === undefined ? {} : { location }).end()
}

/** `/<name>/0` → `/<name>/1` → … → `/<name>/<hops>`, which serves the feed. */
function redirectChain(name: string, hops: number): Record<string, Route> {
  const routes: Record<string, Route> = { [`/${name}/${hops}`]: RSS }
  for (let hop = 0; hop < hops; hop += 1) routes[`/${name}/${hop}`] = redirect(302, `/${name}/${hop + 1}`)
  return routes
}

describe('createFetcher: redirects', () => {
  let server: FeedServer
  let fetcher: Fetcher
  const fetchers = createTestFetchers()

  beforeAll(async () => {
    server = await createFeedServer({
      ...redirectChain('five', 5),
      ...redirectChain('six', 6),
      '/feed.xml': RSS,
      '/old/feed.xml': redirect(302, '../feed.xml'),
      '/loop/a': redirect(302, '/loop/b'),
      '/loop/b': redirect(307, '/loop/a'),
      '/to-ftp': redirect(301, 'ftp://127.0.0.1/feed.xml'),
      '/to-file': redirect(301, 'file:///etc/passwd'),
      '/no-location': redirect(302),
      '/moved/a': redirect(301, '/moved/b'),
      '/moved/b': redirect(308, '/feed.xml'),
      '/mixed/a': redirect(301, '/mixed/b'),
      '/mixed/b': redirect(302, '/feed.xml'),
      '/conditional/old': redirect(301, '/conditional/new'),
      '/conditional/new': (_req, res) => res.writeHead(304).end(),
    })
    fetcher = fetchers.create({ maxRedirects: 5 })
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  it('follows a chain of maxRedirects redirects', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/five/0` })
    expect(result).toMatchObject({ status: 'ok', text: RSS })
  })

  it('fails a chain one longer than maxRedirects with E_FETCH_REDIRECT', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/six/0` }))
    expect([err.code, err.message]).toEqual([
      'E_FETCH_REDIRECT',
      `fetch failed for ${server.url}/six/5: more than 5 redirects`,
    ])
  })

  it('fails a redirect loop with E_FETCH_REDIRECT before requesting the same URL twice', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/loop/a` }))
    expect(err.code).toBe('E_FETCH_REDIRECT')
    expect(server.requests.filter((seen) => seen.path === '/loop/a')).toHaveLength(1)
  })

  it.each(['/to-ftp', '/to-file'])('refuses a redirect to a non-http(s) scheme (%s)', async (path) => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}${path}` }))
    expect(err.code).toBe('E_FETCH_REDIRECT')
  })

  it('fails a redirect without Location with E_FETCH_REDIRECT', async () => {
    const err = await catchFetchError(fetcher.fetchText({ url: `${server.url}/no-location` }))
    expect(err.code).toBe('E_FETCH_REDIRECT')
  })

  it('reports the effective URL after resolving a relative Location', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/old/feed.xml` })
    expect(result.url).toBe(`${server.url}/feed.xml`)
  })

  it('reports permanentRedirect when every hop was 301 or 308', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/moved/a` })
    expect(result).toMatchObject({ status: 'ok', permanentRedirect: `${server.url}/feed.xml` })
  })

  it('reports no permanentRedirect when a 302 is in the chain', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/mixed/a` })
    expect(result).toMatchObject({ status: 'ok', url: `${server.url}/feed.xml`, permanentRedirect: undefined })
  })

  it('reports no permanentRedirect without redirects', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/feed.xml` })
    expect(result).toMatchObject({ status: 'ok', permanentRedirect: undefined })
  })

  it('reports the effective URL of a 304 reached through a redirect', async () => {
    const result = await fetcher.fetchText({ url: `${server.url}/conditional/old`, conditional: { etag: '"v1"' } })
    expect(result).toEqual({ status: 'not-modified', url: `${server.url}/conditional/new` })
  })

  it('refuses any redirect when maxRedirects is 0', async () => {
    const strict = fetchers.create({ maxRedirects: 0 })
    const err = await catchFetchError(strict.fetchText({ url: `${server.url}/old/feed.xml` }))
    expect(err.code).toBe('E_FETCH_REDIRECT')
  })
})
