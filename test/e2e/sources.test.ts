import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoredItem } from '../../src/types.js'
import { createFeedServer, type FeedServer, type Route } from '../helpers/feed-server.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'

const seedDir = resolve(import.meta.dirname, '../fixtures/seed-article')
const SEED_CODE = 'NW202201112243496752'
const SHARE_TEMPLATE = 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode={infoCode}'

let server: FeedServer
let dir: string
let configPath: string
let seedList: string
let seedDetail: string

beforeEach(async () => {
  seedList = await readFile(join(seedDir, 'list.json'), 'utf8')
  seedDetail = await readFile(join(seedDir, 'detail.json'), 'utf8')
  server = await createFeedServer()
})

afterEach(async () => {
  await server.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** Serves a body with a strong ETag and answers If-None-Match with 304. */
function withEtag(body: string, contentType = 'application/json; charset=utf-8'): Route {
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 12)}"`
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': contentType, etag }).end(body)
  }
}

function html(body: string): Route {
  return { body, headers: { 'content-type': 'text/html; charset=utf-8' } }
}

function jsonSource(overrides: object = {}) {
  return {
    id: 'em-list',
    type: 'json',
    url: `${server.url}/api/list`,
    items: 'record',
    fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame', summary: 'digest' },
    detail: { url: `${server.url}/api/detail?id={infoCode}`, content: 'text' },
    shareLink: SHARE_TEMPLATE,
    ...overrides,
  }
}

async function useConfig(sources: object[]): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  ;({ dir, configPath } = await writeConfig({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out' },
    fetch: { timeoutMs: 5000 },
    sources,
  }))
}

async function run() {
  return runCli('run', '--config', configPath)
}

function readStore() {
  return readStoreSnapshot(join(dir, 'store/db.json'))
}

async function storedItem(infoCode: string): Promise<StoredItem | undefined> {
  return (await readStore()).items.find((item) => item.infoCode === infoCode)
}

async function readJsonFeed(path: string): Promise<{ items: { id: string; title: string; content_html?: string }[] }> {
  return JSON.parse(await readFile(join(dir, 'out', path), 'utf8'))
}

function requestsTo(path: string) {
  return server.requests.filter((request) => request.path.startsWith(path))
}

function serveSeed(): void {
  server.routes['/api/list'] = withEtag(seedList)
  server.routes[`/api/detail?id=${SEED_CODE}`] = seedDetail
}

/** The seed list with a second article after the first. */
function listWithSecondItem(): string {
  const list = JSON.parse(seedList) as { record: Record<string, string>[] }
  list.record.push({
    infoCode: 'NW202201112243501234',
    title: 'A股三大指数集体收涨 沪指重回3600点',
    datetime: '2022-01-11 15:05:00',
    medianame: '每日经济新闻',
    digest: '三大指数集体收涨。',
  })
  return JSON.stringify(list)
}

describe('json source: the seed article', () => {
  beforeEach(async () => {
    serveSeed()
    await useConfig([jsonSource()])
  })

  it('stores the item under its infoCode, media category, Shanghai time and share link', async () => {
    expect((await run()).code).toBe(0)
    expect(await storedItem(SEED_CODE)).toMatchObject({
      id: `urn:feedloom:${SEED_CODE}`,
      key: `infocode:${SEED_CODE}`,
      title: '深圳金融基础设施建设又添重要生力军：深圳征信服务有限公司通过备案正式运行',
      category: 'meirijingjixinwen',
      categoryTitle: '每日经济新闻',
      media: '每日经济新闻',
      published: '2022-01-11T05:35:18.000Z',
      shareLink: `http://finews.zning.xyz/html_News/NewsShare.html?infoCode=${SEED_CODE}`,
      link: `http://finews.zning.xyz/html_News/NewsShare.html?infoCode=${SEED_CODE}`,
    })
  })

  it('stores the detail text byte for byte as the seed post shows it, em_media class included', async () => {
    await run()
    const { text } = JSON.parse(seedDetail) as { text: string }
    expect((await storedItem(SEED_CODE))?.content).toBe(text)
    expect(text).toContain('<p class="em_media">（文章来源：每日经济新闻）</p>')
  })

  it('publishes the item in the meirijingjixinwen feeds with no config entry for that category', async () => {
    await run()
    const feed = await readJsonFeed('meirijingjixinwen/feed.json')
    expect(feed.items.map((item) => item.id)).toEqual([`urn:feedloom:${SEED_CODE}`])
  })

  it('fetches the detail of a stored item only once', async () => {
    await run()
    server.routes['/api/list'] = withEtag(listWithSecondItem())
    server.routes['/api/detail?id=NW202201112243501234'] = JSON.stringify({ text: '<p>三大指数集体收涨，沪指重回3600点。</p>' })
    await run()
    expect(requestsTo('/api/detail').map((request) => request.path)).toEqual([
      `/api/detail?id=${SEED_CODE}`,
      '/api/detail?id=NW202201112243501234',
    ])
    expect((await storedItem('NW202201112243501234'))?.content).toBe('<p>三大指数集体收涨，沪指重回3600点。</p>')
  })

  it('sends the list validators on the next cycle once every detail arrived', async () => {
    await run()
    await run()
    expect(requestsTo('/api/list').map((request) => request.headers['if-none-match'] !== undefined)).toEqual([false, true])
  })
})

describe('json source: a failing detail', () => {
  beforeEach(async () => {
    server.routes['/api/list'] = withEtag(seedList)
    server.routes[`/api/detail?id=${SEED_CODE}`] = { status: 503, body: 'busy' }
    await useConfig([jsonSource()])
  })

  it('keeps and publishes the item with its summary', async () => {
    await run()
    const item = await storedItem(SEED_CODE)
    expect(item?.content).toBeUndefined()
    expect(item?.summary).toBe('1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。')
    expect((await readJsonFeed('meirijingjixinwen/feed.json')).items).toHaveLength(1)
  })

  it('warns with the source id, infoCode and reason while the source counts as ok', async () => {
    const result = await run()
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/sources 1 ok, 0 not modified, 0 failed/)
    expect(result.stderr).toMatch(new RegExp(`source em-list: ${SEED_CODE}: .*api/detail\\?id=${SEED_CODE}.*HTTP 503`))
  })

  it('retries the detail on the next cycle although the list has not changed', async () => {
    await run()
    server.routes[`/api/detail?id=${SEED_CODE}`] = seedDetail
    await run()
    expect(requestsTo('/api/list').map((request) => request.headers['if-none-match'])).toEqual([undefined, undefined])
    expect(requestsTo('/api/detail')).toHaveLength(2)
    expect((await storedItem(SEED_CODE))?.content).toContain('（文章来源：每日经济新闻）')
  })
})

describe('json source: bad answers', () => {
  it('reports an HTML answer as E_PARSE_JSON for that source and publishes the others', async () => {
    serveSeed()
    server.routes['/api/broken'] = html('<!doctype html><html><body><h1>请登录</h1></body></html>')
    await useConfig([jsonSource(), jsonSource({ id: 'login-wall', url: `${server.url}/api/broken` })])
    const result = await run()
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/source login-wall failed: not JSON: got an HTML page from http:\/\/127\.0\.0\.1:\d+\/api\/broken/)
    expect((await readStore()).sources['login-wall']?.lastError?.code).toBe('E_PARSE_JSON')
    expect(await storedItem(SEED_CODE)).toBeDefined()
  })

  it('reports an items path that is not an array as E_PARSE_FORMAT', async () => {
    server.routes['/api/list'] = JSON.stringify({ record: { title: 'x' } })
    await useConfig([jsonSource()])
    await run()
    expect((await readStore()).sources['em-list']?.lastError?.code).toBe('E_PARSE_FORMAT')
  })
})

describe('json source: media categories', () => {
  /** 珠江日报 and 朱江日报 have the same pinyin, zhujiangribao. */
  function twoOutlets(first: string, second: string, codes: [string, string]) {
    return JSON.stringify({
      record: [
        { infoCode: codes[0], title: `${first}的报道`, datetime: '2022-01-11 10:00:00', medianame: first },
        { infoCode: codes[1], title: `${second}的报道`, datetime: '2022-01-11 09:00:00', medianame: second },
      ],
    })
  }
  const suffix = createHash('sha1').update('朱江日报').digest('hex').slice(0, 6)

  it('gives two outlets with the same pinyin distinct category folders', async () => {
    server.routes['/api/list'] = twoOutlets('珠江日报', '朱江日报', ['NW1', 'NW2'])
    await useConfig([jsonSource({ detail: undefined })])
    await run()
    expect((await readJsonFeed('zhujiangribao/feed.json')).items.map((item) => item.title)).toEqual(['珠江日报的报道'])
    expect((await readJsonFeed(`zhujiangribao-${suffix}/feed.json`)).items.map((item) => item.title)).toEqual(['朱江日报的报道'])
  })

  it('keeps the same slugs on a later run that lists the outlets the other way round', async () => {
    server.routes['/api/list'] = twoOutlets('珠江日报', '朱江日报', ['NW1', 'NW2'])
    await useConfig([jsonSource({ detail: undefined })])
    await run()
    server.routes['/api/list'] = twoOutlets('朱江日报', '珠江日报', ['NW3', 'NW4'])
    await run()
    expect((await storedItem('NW3'))?.category).toBe(`zhujiangribao-${suffix}`)
    expect((await storedItem('NW4'))?.category).toBe('zhujiangribao')
  })
})

const SHARE_PAGE = `<!doctype html><html><head><meta charset="utf-8">
<title>深圳征信服务有限公司通过备案正式运行_东方财富网</title>
<meta property="og:title" content="深圳征信服务有限公司通过备案正式运行">
<meta property="article:published_time" content="2022-01-11T13:35:18+08:00">
<meta name="source" content="每日经济新闻">
</head><body><div class="nav"><a href="/">首页</a></div>
<div class="article"><p>1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。</p>
<p>深圳人民银行表示，深圳征信服务有限公司的正式运行标志着深圳已形成央行征信、地方征信、互联网征信等为一体的多元化征信服务体系。</p>
<p><img src="/img/chart.png" alt="图表"></p></div></body></html>`

describe('share source', () => {
  const sharePath = `/html_News/NewsShare.html?infoCode=${SEED_CODE}`

  it('extracts title, publish time, media and body of a share page from its meta tags', async () => {
    server.routes[sharePath] = html(SHARE_PAGE)
    await useConfig([{ id: 'picked', type: 'share', urls: [`${server.url}${sharePath}`] }])
    expect((await run()).stdout).toMatch(/sources 1 ok, 0 not modified, 0 failed; items 1 new/)
    const item = await storedItem(SEED_CODE)
    expect(item).toMatchObject({
      key: `infocode:${SEED_CODE}`,
      title: '深圳征信服务有限公司通过备案正式运行',
      published: '2022-01-11T05:35:18.000Z',
      category: 'meirijingjixinwen',
      link: `${server.url}${sharePath}`,
    })
    expect(item?.content).toContain('中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案')
    expect(item?.content).toContain(`<img src="${server.url}/img/chart.png" alt="图表" />`)
  })

  it('uses the source selectors over the meta tags', async () => {
    server.routes['/news/1.html'] = html(
      '<html><head><title>站点首页</title></head><body><h2 class="t">沪指重回3600点</h2><span class="src">证券时报</span>' +
        '<span class="d">2022-01-11 15:05</span><div class="c"><p>三大指数集体收涨。</p></div><div class="ad"><p>广告</p></div></body></html>',
    )
    await useConfig([
      { id: 'picked', type: 'share', urls: [`${server.url}/news/1.html`], selectors: { title: '.t', media: '.src', published: '.d', content: '.c' } },
    ])
    await run()
    const [item] = (await readStore()).items
    expect(item).toMatchObject({
      title: '沪指重回3600点',
      published: '2022-01-11T07:05:00.000Z',
      category: 'zhengquanshibao',
      content: '<p>三大指数集体收涨。</p>',
    })
  })

  it('fetches a share page only once while its item is stored', async () => {
    server.routes[sharePath] = html(SHARE_PAGE)
    await useConfig([{ id: 'picked', type: 'share', urls: [`${server.url}${sharePath}`] }])
    await run()
    await run()
    expect(requestsTo('/html_News/')).toHaveLength(1)
  })

  it('reports a page without title or body as a per-URL error and still stores the other pages', async () => {
    server.routes[sharePath] = html(SHARE_PAGE)
    server.routes['/empty.html'] = html('<html><head></head><body><div></div></body></html>')
    await useConfig([{ id: 'picked', type: 'share', urls: [`${server.url}/empty.html`, `${server.url}${sharePath}`] }])
    const result = await run()
    expect(result.stdout).toMatch(/sources 1 ok, 0 not modified, 0 failed; items 1 new/)
    expect(result.stderr).toMatch(/source picked: cannot extract an article from http:\/\/127\.0\.0\.1:\d+\/empty\.html: no title or body found/)
    expect(await storedItem(SEED_CODE)).toBeDefined()
  })

  it('fails the source when every page fails', async () => {
    await useConfig([{ id: 'picked', type: 'share', urls: [`${server.url}/gone-1.html`, `${server.url}/gone-2.html`] }])
    const result = await run()
    expect(result.stdout).toMatch(/0 ok, 0 not modified, 1 failed/)
    expect(result.stderr).toMatch(/source picked failed: 2 of 2 share pages failed; first: .*HTTP 404/)
  })
})

function rssWith(items: { title: string; link: string; description: string }[]): string {
  const entries = items
    .map((item) => `<item><title>${item.title}</title><link>${item.link}</link><guid>${item.link}</guid><description>${item.description}</description><pubDate>Tue, 11 Jan 2022 13:35:18 +0800</pubDate></item>`)
    .join('')
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>证券时报</title><link>https://stcn.example.com/</link><description>d</description>${entries}</channel></rss>`
}

describe('feed source with fullText', () => {
  const article = (n: number) => ({ title: `文章${n}`, link: `${server.url}/articles/${n}.html`, description: `摘要${n}` })

  beforeEach(async () => {
    server.routes['/articles/1.html'] = html(`<html><head><title>文章1</title></head><body><article><p>文章1的全文。</p></article></body></html>`)
    server.routes['/rss.xml'] = withEtag(rssWith([article(1)]), 'application/rss+xml')
    await useConfig([{ id: 'stcn', type: 'feed', url: `${server.url}/rss.xml`, fullText: true }])
  })

  it('stores the linked page body as the content of a summary-only item', async () => {
    await run()
    const [item] = (await readStore()).items
    expect(item).toMatchObject({ title: '文章1', summary: '摘要1' })
    expect(item?.content).toContain('<p>文章1的全文。</p>')
  })

  it('fetches the linked page only once while the item is stored with content', async () => {
    await run()
    server.routes['/articles/2.html'] = html(`<html><head><title>文章2</title></head><body><article><p>文章2的全文。</p></article></body></html>`)
    server.routes['/rss.xml'] = withEtag(rssWith([article(1), article(2)]), 'application/rss+xml')
    await run()
    expect(requestsTo('/articles/').map((request) => request.path)).toEqual(['/articles/1.html', '/articles/2.html'])
  })

  it('keeps the summary when the linked page fails', async () => {
    server.routes['/articles/1.html'] = { status: 500, body: 'boom' }
    const result = await run()
    const [item] = (await readStore()).items
    expect(item).toMatchObject({ title: '文章1', summary: '摘要1' })
    expect(item?.content).toBeUndefined()
    expect(result.stderr).toMatch(/source stcn: fetch failed for http:\/\/127\.0\.0\.1:\d+\/articles\/1\.html: HTTP 500/)
  })

  it('does not fetch linked pages without fullText', async () => {
    await useConfig([{ id: 'stcn', type: 'feed', url: `${server.url}/rss.xml` }])
    await run()
    expect(requestsTo('/articles/')).toHaveLength(0)
  })
})

describe('golden: the seed article through a json source into a Jekyll post', () => {
  it('writes _posts/2022-01-11-NW202201112243496752.md equal to the seed post byte for byte', async () => {
    serveSeed()
    ;({ dir, configPath } = await writeConfig({
      site: { title: '金融消息', url: 'https://finews.withounder.com/', timezone: 'Asia/Shanghai' },
      store: { path: 'store/db.json', maxAgeDays: 36500 },
      output: {
        dir: 'out',
        // The window is counted from today; the seed is from 2022.
        jekyll: { dir: '_posts', siteUrl: '//finews.withounder.com', categoryPage: '/category/{category}.html', liveDays: 36500 },
      },
      sources: [jsonSource()],
    }))
    expect((await run()).code).toBe(0)
    const post = await readFile(join(dir, 'out/_posts/2022-01-11-NW202201112243496752.md'))
    expect(post.equals(await readFile(join(seedDir, 'post.md')))).toBe(true)
  })
})
