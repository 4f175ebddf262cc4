import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closedPort, createFeedServer, type FeedServer, type Route } from '../helpers/feed-server.js'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { runCli, spawnCli, writeConfig } from '../helpers/run-cli.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'

const samplesDir = resolve(import.meta.dirname, '../../samples/feeds')
const sample = (name: string) => readFile(join(samplesDir, name))

/** Serves a body with a strong ETag and answers If-None-Match with 304, as polite servers do. */
function withEtag(body: Buffer | string, contentType = 'application/xml; charset=utf-8'): Route {
  const etag = `"v${Buffer.byteLength(body)}"`
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': contentType, etag }).end(body)
  }
}

async function sampleRoutes(): Promise<Record<string, Route>> {
  return {
    '/nbd.xml': withEtag(await sample('nbd.xml')),
    '/stcn.xml': withEtag(await sample('stcn.xml')),
    '/eastmoney.xml': withEtag(await sample('eastmoney.xml')),
    '/yicai-gbk.xml': withEtag(await sample('yicai-gbk.xml'), 'application/xml'),
  }
}

function siteConfig(server: FeedServer, extra: { sources?: object[]; fetch?: object } = {}) {
  return {
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out' },
    categories: { meirijingjixinwen: { title: '每日经济新闻' }, zhengquanshibao: { title: '证券时报' }, diyicaijing: { title: '第一财经' } },
    fetch: { timeoutMs: 5000, ...extra.fetch },
    sources: [
      { id: 'nbd', type: 'feed', url: `${server.url}/nbd.xml`, category: 'meirijingjixinwen' },
      { id: 'stcn', type: 'feed', url: `${server.url}/stcn.xml`, category: 'zhengquanshibao' },
      { id: 'eastmoney', type: 'feed', url: `${server.url}/eastmoney.xml` },
      { id: 'yicai', type: 'feed', url: `${server.url}/yicai-gbk.xml`, category: 'diyicaijing' },
      ...(extra.sources ?? []),
    ],
  }
}

/** Every file under `dir` with its bytes and mtime, keyed by relative path. */
async function snapshot(dir: string): Promise<Record<string, { bytes: string; mtimeMs: number }>> {
  const files: Record<string, { bytes: string; mtimeMs: number }> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files[relative(dir, path)] = { bytes: (await readFile(path)).toString('base64'), mtimeMs: (await stat(path)).mtimeMs }
  }
  return files
}

async function readJsonFeed(path: string): Promise<{ items: { id: string; title: string; url: string }[] }> {
  return JSON.parse(await readFile(path, 'utf8'))
}

let server: FeedServer
let dir: string
let configPath: string

beforeEach(async () => {
  server = await createFeedServer(await sampleRoutes())
  ;({ dir, configPath } = await writeConfig(siteConfig(server)))
})

afterEach(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('feedloom run', () => {
  it('publishes all-categories and per-category feeds in every format', async () => {
    const result = await runCli('run', '--config', configPath)
    expect(result.code).toBe(0)
    const categories = ['meirijingjixinwen', 'zhengquanshibao', 'zhongguozhengquanbao', 'shanghaizhengquanbao', 'diyicaijing']
    for (const folder of ['', ...categories]) {
      for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(existsSync(join(dir, 'out', folder, file)), `${folder}/${file}`).toBe(true)
    }
  })

  it('gives one item for two sources carrying the same infoCode, listing both sources', async () => {
    await runCli('run', '--config', configPath)
    const all = await readJsonFeed(join(dir, 'out/feed.json'))
    expect(all.items.filter((item) => item.id === 'urn:feedloom:NW202201112243496752')).toHaveLength(1)
    // 3 + 3 + 3 + 2 entries, two of them repeating an infoCode another source already gave.
    expect(all.items).toHaveLength(9)
    const { items } = await readStoreSnapshot(join(dir, 'store/db.json'))
    expect(items.find((item) => item.id === 'urn:feedloom:NW202201112243496752')?.sources).toEqual(['nbd', 'stcn'])
  })

  it('decodes a GBK feed whose charset is named only in the XML prolog', async () => {
    await runCli('run', '--config', configPath)
    const feed = await readJsonFeed(join(dir, 'out/diyicaijing/feed.json'))
    expect(feed.items.map((item) => item.title)).toContain('国家统计局：2021年全国居民消费价格比上年上涨0.9%')
  })

  it('decodes a GBK feed whose charset is named only in the HTTP header', async () => {
    const gbk = (await sample('yicai-gbk.xml')).toString('latin1').replace(' encoding="GBK"', '')
    server.routes['/yicai-gbk.xml'] = withEtag(Buffer.from(gbk, 'latin1'), 'application/rss+xml; charset=GBK')
    await runCli('run', '--config', configPath)
    const feed = await readJsonFeed(join(dir, 'out/diyicaijing/feed.json'))
    expect(feed.items.map((item) => item.title)).toContain('人民币对美元中间价报6.3720 上调74个基点')
  })

  it('changes no byte and no mtime under out/ or store/ when every source answers 304', async () => {
    await runCli('run', '--config', configPath)
    const before = { out: await snapshot(join(dir, 'out')), store: await snapshot(join(dir, 'store')) }
    const second = await runCli('run', '--config', configPath)
    expect(second.stdout).toMatch(/0 ok, 4 not modified, 0 failed; items 0 new, 0 updated; 0 files written; /)
    expect({ out: await snapshot(join(dir, 'out')), store: await snapshot(join(dir, 'store')) }).toEqual(before)
    expect(server.requests.filter((r) => r.headers['if-none-match'])).toHaveLength(4)
  })

  it('keeps an item id and its outputs when a source changes the guid of a known infoCode', async () => {
    await runCli('run', '--config', configPath)
    const before = await snapshot(join(dir, 'out'))
    const nbd = (await sample('nbd.xml')).toString().replace('nbd-2243496752', 'nbd-renumbered-1')
    server.routes['/nbd.xml'] = withEtag(nbd)
    await runCli('run', '--config', configPath)
    expect(await snapshot(join(dir, 'out'))).toEqual(before)
  })

  it('updates a changed title in place without re-announcing the item', async () => {
    await runCli('run', '--config', configPath)
    const nbd = (await sample('nbd.xml')).toString().replace('沪指重回3600点', '沪指重回3600点上方')
    server.routes['/nbd.xml'] = withEtag(nbd)
    const second = await runCli('run', '--config', configPath)
    expect(second.stdout).toMatch(/items 0 new, 1 updated/)
    const feed = await readJsonFeed(join(dir, 'out/meirijingjixinwen/feed.json'))
    const updated = feed.items.filter((item) => item.id === 'urn:feedloom:NW202201112243501234')
    expect(updated.map((item) => item.title)).toEqual(['A股三大指数集体收涨 沪指重回3600点上方'])
  })

  it('reports a failing source by id and reason and still publishes the others', async () => {
    const port = await closedPort()
    server.routes['/broken.xml'] = { status: 500, body: 'boom' }
    server.routes['/page.html'] = { body: '<!doctype html><html><head><title>首页</title></head><body>新闻</body></html>' }
    const config = siteConfig(server, {
      sources: [
        { id: 'refused', type: 'feed', url: `http://127.0.0.1:${port}/rss.xml` },
        { id: 'server-error', type: 'feed', url: `${server.url}/broken.xml` },
        { id: 'not-a-feed', type: 'feed', url: `${server.url}/page.html` },
      ],
    })
    ;({ dir, configPath } = await writeConfig(config))
    const result = await runCli('run', '--config', configPath)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/sources 4 ok, 0 not modified, 3 failed; items 9 new/)
    expect(result.stderr).toMatch(/source refused failed: .*127\.0\.0\.1/)
    expect(result.stderr).toMatch(/source server-error failed: .*HTTP 500/)
    expect(result.stderr).toMatch(/source not-a-feed failed: .*not a feed/)
    expect((await readJsonFeed(join(dir, 'out/feed.json'))).items).toHaveLength(9)
  })

  it('exits 1 with --strict when a source failed', async () => {
    const port = await closedPort()
    ;({ dir, configPath } = await writeConfig(
      siteConfig(server, { sources: [{ id: 'refused', type: 'feed', url: `http://127.0.0.1:${port}/rss.xml` }] }),
    ))
    expect((await runCli('run', '--strict', '--config', configPath)).code).toBe(1)
  })

  it('finishes the cycle when a source never answers', async () => {
    server.routes['/hang.xml'] = () => {}
    ;({ dir, configPath } = await writeConfig(
      siteConfig(server, { fetch: { timeoutMs: 400 }, sources: [{ id: 'hangs', type: 'feed', url: `${server.url}/hang.xml` }] }),
    ))
    const startedMs = Date.now()
    const result = await runCli('run', '--config', configPath)
    expect(Date.now() - startedMs).toBeLessThan(5000)
    expect(result.stderr).toMatch(/source hangs failed: .*(timed out|timeout)/i)
    expect((await readJsonFeed(join(dir, 'out/feed.json'))).items).toHaveLength(9)
  })

  it.skipIf(!hasFeedparser)(`writes feeds the Universal Feed Parser reads without error${hasFeedparser ? '' : ` (${feedparserMissing})`}`, async () => {
    await runCli('run', '--config', configPath)
    // The item nbd and stcn share is in both their categories, and once in the all-categories feeds.
    const expected: Record<string, number> = { '': 9, meirijingjixinwen: 3, zhengquanshibao: 3, zhongguozhengquanbao: 1, diyicaijing: 2 }
    const files = Object.keys(expected).flatMap((folder) => ['rss.xml', 'atom.xml', 'feed.json'].map((file) => join(folder, file)))
    const reports = readFeeds(files.map((file) => join(dir, 'out', file)))
    expect(Object.fromEntries(reports.map((report, i) => [files[i], { bozo: report.bozo, entries: report.ids.length }]))).toEqual(
      Object.fromEntries(files.map((file) => [file, { bozo: 0, entries: expected[dirname(file) === '.' ? '' : dirname(file)] }])),
    )
  })
})

describe('feedloom build', () => {
  it('regenerates byte-identical outputs from the store without fetching', async () => {
    await runCli('run', '--config', configPath)
    const published = await snapshot(join(dir, 'out'))
    await rm(join(dir, 'out'), { recursive: true })
    const requestsBefore = server.requests.length
    const result = await runCli('build', '--config', configPath)
    expect(result.code).toBe(0)
    expect(server.requests.length).toBe(requestsBefore)
    const rebuilt = await snapshot(join(dir, 'out'))
    const bytesOf = (files: typeof rebuilt) => Object.fromEntries(Object.entries(files).map(([path, file]) => [path, file.bytes]))
    expect(bytesOf(rebuilt)).toEqual(bytesOf(published))
    await runCli('build', '--config', configPath)
    expect(await snapshot(join(dir, 'out'))).toEqual(rebuilt)
  })
})

describe('the HTML site', () => {
  it('pages a category past its feed, then build removes the pages it no longer needs and says so', async () => {
    const paged = { ...siteConfig(server), output: { dir: 'out', itemsPerFeed: 2 } }
    await writeFile(configPath, JSON.stringify(paged))
    expect((await runCli('run', '--config', configPath)).code).toBe(0)
    const second = await readFile(join(dir, 'out/meirijingjixinwen/page/2.html'), 'utf8')
    expect(second).toContain('<title>每日经济新闻 - 金融消息 · 第 2 / 2 页</title>')
    expect(second).toContain('<a href="../" rel="prev">← 上一页</a>')
    expect(await readFile(join(dir, 'out/index.html'), 'utf8')).toMatch(/<section class="latest">\n<h2>最新<\/h2>/)
    await writeFile(configPath, JSON.stringify({ ...paged, output: { dir: 'out' } }))
    const build = await runCli('build', '--config', configPath)
    expect(build.code).toBe(0)
    expect(build.stderr).toContain('removed meirijingjixinwen/page/2.html: the category has fewer pages now')
    expect(existsSync(join(dir, 'out/meirijingjixinwen/page/2.html'))).toBe(false)
  })
})

describe('a broken config', () => {
  const broken = {
    site: { title: '金融消息', url: 'news.example.com' },
    output: { formats: ['rss', 'rdf'] },
    sources: [{ id: 'nbd', type: 'feed', url: 'https://nbd.example.com/rss', categroy: 'x' }],
  }

  it('is reported with every problem and its path by validate, exit 1', async () => {
    ;({ dir, configPath } = await writeConfig(broken))
    const result = await runCli('validate', '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('site.url: must be an absolute http(s) URL')
    expect(result.stderr).toMatch(/output\.formats\[1\]: /)
    expect(result.stderr).toContain('sources[0].categroy: unknown key')
  })

  it('makes run exit 1 without creating a store or outputs', async () => {
    ;({ dir, configPath } = await writeConfig(broken))
    const result = await runCli('run', '--config', configPath)
    expect(result.code).toBe(1)
    expect(await readdir(dir)).toEqual(['feeds.config.json'])
  })

  it('names a missing config file', async () => {
    const result = await runCli('run', '--config', join(dir, 'nope.json'))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/nope\.json: file not found/)
  })
})

describe('feedloom start', () => {
  it('runs a cycle at once and stops cleanly on SIGTERM, releasing the store', async () => {
    const child = spawnCli(['start', '--config', configPath])
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    while (!stdout.includes('cycle done')) await once(child.stdout, 'data')
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(existsSync(join(dir, 'store/db.json'))).toBe(true)
    expect(existsSync(join(dir, 'store/db.json.lock'))).toBe(false)
    expect((await readJsonFeed(join(dir, 'out/feed.json'))).items).toHaveLength(9)
  })
})
