import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { createFetcher, type Fetcher } from '../../src/fetch/create-fetcher.js'
import { createEntryParser } from '../../src/pipeline/create-entry-parser.js'
import { refreshSource } from '../../src/pipeline/refresh-source.js'
import { createArticleExtractor } from '../../src/sources/share/create-article-extractor.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { useCycleServer } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')

const cycle = useCycleServer()
let fetcher: Fetcher
const articles = createArticleExtractor()
const parser = createEntryParser({ workers: 0 })
let store: Store

beforeEach(async () => {
  store = await openStore({ path: join(cycle.dir, 'db.json'), lock: false })
})

afterEach(async () => {
  await fetcher?.close()
  await store.close()
})

afterAll(() => articles.close())

function configWith(source: object, fetch: object = {}) {
  return loadConfig({
    fileText: JSON.stringify({ site: { title: 't', url: 'https://news.example.com/' }, fetch: { timeoutMs: 2000, ...fetch }, sources: [source] }),
    baseDir: cycle.dir,
  })
}

function listOf(count: number): string {
  const record = Array.from({ length: count }, (_, i) => ({ infoCode: `NW${i}`, title: `标题${i}`, datetime: '2022-01-11 13:35:18', medianame: '每日经济新闻' }))
  return JSON.stringify({ record })
}

async function refresh(source: object, fetch: object = {}) {
  const config = configWith(source, fetch)
  fetcher = createFetcher(config.fetch)
  const [sourceConfig] = config.sources
  if (sourceConfig === undefined) throw new Error('no source')
  return refreshSource({
    source: sourceConfig,
    state: (await store.sourceStates()).get(sourceConfig.id) ?? { consecutiveFailures: 0, itemsSeen: 0 },
    config,
    fetcher,
    articles,
    parser,
    deadline: new AbortController().signal,
    known: store,
    now: NOW,
  })
}

function jsonSource(detailUrl = `${cycle.server.url}/api/detail?id={infoCode}`) {
  return {
    id: 'em-list',
    type: 'json',
    url: `${cycle.server.url}/api/list`,
    items: 'record',
    fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame' },
    detail: { url: detailUrl, content: 'text' },
    shareLink: 'https://finews.example.com/NewsShare.html?infoCode={infoCode}',
  }
}

describe('refreshSource: json details', () => {
  it('keeps detail requests within the per-host budget', async () => {
    let inFlight = 0
    let maxInFlight = 0
    cycle.server.routes['/api/list'] = { body: listOf(6), headers: { etag: '"l1"' } }
    cycle.server.routes['/api/detail'] = (_req, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setTimeout(() => {
        inFlight--
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"<p>正文</p>"}')
      }, 30)
    }
    const result = await refresh(jsonSource(), { perHost: 2 })
    expect(result.entries.map((entry) => entry.content)).toEqual(Array(6).fill('<p>正文</p>'))
    expect(maxInFlight).toBe(2)
  })

  it('returns a failed detail as a warning with source id, infoCode, URL and reason', async () => {
    cycle.server.routes['/api/list'] = listOf(1)
    cycle.server.routes['/api/detail'] = { status: 404, body: 'no' }
    const result = await refresh(jsonSource())
    expect(result.status).toBe('ok')
    expect(result.warnings).toEqual([
      {
        sourceId: 'em-list',
        infoCode: 'NW0',
        url: `${cycle.server.url}/api/detail?id=NW0`,
        code: 'E_FETCH_STATUS',
        message: expect.stringContaining('HTTP 404'),
      },
    ])
  })

  it('records no validators or body hash while a detail is pending', async () => {
    cycle.server.routes['/api/list'] = { body: listOf(1), headers: { etag: '"l1"', 'last-modified': 'Tue, 11 Jan 2022 05:35:18 GMT' } }
    cycle.server.routes['/api/detail'] = { status: 503, body: 'busy' }
    const { state } = await refresh(jsonSource())
    expect([state.etag, state.lastModified, state.bodyHash]).toEqual([undefined, undefined, undefined])
    expect(state.lastSuccessAt).toBe(NOW.toISOString())
  })

  it('records validators and body hash once every detail arrived', async () => {
    cycle.server.routes['/api/list'] = { body: listOf(1), headers: { etag: '"l1"' } }
    cycle.server.routes['/api/detail'] = '{"text":"<p>正文</p>"}'
    const { state } = await refresh(jsonSource())
    expect(state.etag).toBe('"l1"')
    expect(state.bodyHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('fetches nothing for an item whose detail URL needs a field it lacks, and warns once', async () => {
    cycle.server.routes['/api/list'] = listOf(1)
    const result = await refresh(jsonSource(`${cycle.server.url}/api/detail?id={infoCode}&a={author}`))
    expect(cycle.server.requests.map((request) => request.path)).toEqual(['/api/list'])
    expect(result.warnings?.map((warning) => warning.message)).toEqual([
      `detail URL ${cycle.server.url}/api/detail?id={infoCode}&a={author} needs {author}, which the item lacks`,
    ])
    expect(result.state.bodyHash).toBeDefined()
  })

  it('fetches one detail for an item listed twice', async () => {
    const record = JSON.parse(listOf(1)) as { record: object[] }
    cycle.server.routes['/api/list'] = JSON.stringify({ record: [...record.record, ...record.record] })
    cycle.server.routes['/api/detail'] = '{"text":"<p>正文</p>"}'
    const result = await refresh(jsonSource())
    expect(result.entries).toHaveLength(2)
    expect(cycle.server.requests.filter((request) => request.path.startsWith('/api/detail'))).toHaveLength(1)
  })

  it('does not fetch the detail of a pruned item', async () => {
    cycle.server.routes['/api/list'] = listOf(1)
    cycle.server.routes['/api/detail'] = '{"text":"<p>正文</p>"}'
    const first = await refresh(jsonSource())
    await store.upsert(first.entries, NOW)
    await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 0.01, now: NOW })
    await fetcher.close()
    const requestsBefore = cycle.server.requests.length
    await refresh(jsonSource())
    expect(cycle.server.requests.slice(requestsBefore).map((request) => request.path)).toEqual(['/api/list'])
  })
})
