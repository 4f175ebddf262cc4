import { readFile, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, writeConfigText } from '../helpers/run-cli.js'

const fixtures = resolve(import.meta.dirname, '../fixtures/feeds')
const fixture = (name: string) => readFile(join(fixtures, name), 'utf8')

/** 4-space indent and a key order of the user's own (sources before site), which `add` must keep. */
function configText(server: FeedServer): string {
  return `{
    "sources": [
        {
            "url": "${server.url}/existing.xml",
            "type": "feed",
            "id": "existing"
        }
    ],
    "site": {
        "url": "https://news.example.com/",
        "title": "金融消息"
    }
}
`
}

function page(head: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>财经首页</title>${head}</head><body>新闻</body></html>`
}

let server: FeedServer
let dir: string
let configPath: string
let original: string

beforeEach(async () => {
  server = await createFeedServer({
    '/rss.xml': await fixture('rss2.xml'),
    '/news/atom.xml': await fixture('atom.xml'),
    '/existing.xml': await fixture('rss2.xml'),
  })
  original = configText(server)
  ;({ dir, configPath } = await writeConfigText(original))
})

afterEach(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

const readConfig = () => readFile(configPath, 'utf8')

describe('feedloom add', () => {
  it('appends a feed with its own title, keeping the 4-space indent and key order byte for byte', async () => {
    const result = await runCli('add', `${server.url}/rss.xml`, '--config', configPath)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('added source "meirijingjixinwen-jinrong" (feed)')
    expect(await readConfig()).toBe(
      original.replace(
        '            "id": "existing"\n        }\n',
        `            "id": "existing"
        },
        {
            "id": "meirijingjixinwen-jinrong",
            "type": "feed",
            "url": "${server.url}/rss.xml",
            "title": "每日经济新闻 - 金融"
        }
`,
      ),
    )
  })

  it('lists both feeds of a page with two alternate links, writes nothing and exits 1', async () => {
    server.routes['/'] = page(
      '<link rel="alternate" type="application/rss+xml" title="财经 RSS" href="/rss.xml">' +
        '<link rel="alternate" type="application/atom+xml" title="财经 Atom" href="news/atom.xml">',
    )
    const result = await runCli('add', `${server.url}/`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`财经 RSS (RSS)  ${server.url}/rss.xml`)
    expect(result.stdout).toContain(`财经 Atom (Atom)  ${server.url}/news/atom.xml`)
    expect(result.stderr).toMatch(/links 2 feeds; nothing was added\nhint: run again with the one you want/)
    expect(await readConfig()).toBe(original)
    expect(await readdir(dir)).toEqual(['feeds.config.json'])
  })

  it('adds the one feed a page links to, resolving its relative href against <base>', async () => {
    server.routes['/section/index.html'] = page('<base href="/news/"><link rel="alternate" type="application/atom+xml" href="atom.xml">')
    const result = await runCli('add', `${server.url}/section/index.html`, '--config', configPath)
    expect(result.code).toBe(0)
    const config = JSON.parse(await readConfig())
    expect(config.sources[1]).toEqual({ id: 'diyicaijing-jinrong', type: 'feed', url: `${server.url}/news/atom.xml`, title: '第一财经 金融' })
  })

  it('ignores alternate links inside comments and scripts', async () => {
    server.routes['/'] = page(
      '<!-- <link rel="alternate" type="application/rss+xml" href="/old.xml"> -->' +
        '<script>document.write(\'<link rel="alternate" type="application/rss+xml" href="/js.xml">\')</script>' +
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml">',
    )
    const result = await runCli('add', `${server.url}/`, '--config', configPath)
    expect(result.code).toBe(0)
    expect(JSON.parse(await readConfig()).sources[1].url).toBe(`${server.url}/rss.xml`)
  })

  it('says so clearly when a page links no feed, and writes nothing', async () => {
    server.routes['/'] = page('<link rel="stylesheet" href="/site.css">')
    const result = await runCli('add', `${server.url}/`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`error: no feed found at ${server.url}/: it is an HTML page that links no RSS, Atom or JSON feed`)
    expect(await readConfig()).toBe(original)
  })

  it('refuses a URL that is already a source', async () => {
    const result = await runCli('add', `${server.url}/existing.xml`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`error: ${server.url}/existing.xml is already in the config as source "existing"`)
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a feed discovered on a page when it is already a source', async () => {
    server.routes['/'] = page('<link rel="alternate" type="application/rss+xml" href="/existing.xml">')
    const result = await runCli('add', `${server.url}/`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('is already in the config as source "existing"')
  })

  it('refuses an --id that is taken', async () => {
    const result = await runCli('add', `${server.url}/rss.xml`, '--id', 'existing', '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('error: there is already a source with id "existing"\nhint: choose another with --id')
    expect(await readConfig()).toBe(original)
  })

  it('uses --id, --title and a category slug as given', async () => {
    await runCli('add', `${server.url}/rss.xml`, '--id', 'nbd', '--title', '每经', '--category', 'meirijingjixinwen', '--config', configPath)
    expect(JSON.parse(await readConfig()).sources[1]).toEqual({
      id: 'nbd',
      type: 'feed',
      url: `${server.url}/rss.xml`,
      title: '每经',
      category: 'meirijingjixinwen',
    })
  })

  it('turns a category title into its pinyin slug and adds it to categories', async () => {
    await runCli('add', `${server.url}/rss.xml`, '--category', '每日经济新闻', '--config', configPath)
    const config = JSON.parse(await readConfig())
    expect(config.sources[1].category).toBe('meirijingjixinwen')
    expect(config.categories).toEqual({ meirijingjixinwen: { title: '每日经济新闻' } })
  })

  it('adds a JSON Feed as a json source with the JSON Feed field mapping', async () => {
    server.routes['/feed.json'] = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'JSON 快讯',
      items: [{ id: '1', title: '快讯', url: 'https://a.example/1', content_html: '<p>x</p>' }],
    })
    const result = await runCli('add', `${server.url}/feed.json`, '--config', configPath)
    expect(result.code).toBe(0)
    expect(JSON.parse(await readConfig()).sources[1]).toMatchObject({
      type: 'json',
      title: 'JSON 快讯',
      items: 'items',
      fields: { guid: 'id', title: 'title', link: 'url', content: 'content_html' },
    })
  })

  it('maps a news API list by its field names', async () => {
    server.routes['/api/list'] = JSON.stringify({
      record: [{ infoCode: 'NW202201112243496752', title: '标题', datetime: '2022-01-11 13:35:18', medianame: '每日经济新闻', digest: '摘要' }],
    })
    const result = await runCli('add', `${server.url}/api/list`, '--id', 'em-list', '--config', configPath)
    expect(result.code).toBe(0)
    expect(JSON.parse(await readConfig()).sources[1]).toEqual({
      id: 'em-list',
      type: 'json',
      url: `${server.url}/api/list`,
      items: 'record',
      fields: { title: 'title', infoCode: 'infoCode', published: 'datetime', media: 'medianame', summary: 'digest' },
    })
  })

  it('adds a page as a share source with --type share, titled by the page', async () => {
    server.routes['/NewsShare.html'] = page('')
    const result = await runCli('add', `${server.url}/NewsShare.html?infoCode=NW1`, '--type', 'share', '--id', 'picked', '--config', configPath)
    expect(result.code).toBe(0)
    expect(JSON.parse(await readConfig()).sources[1]).toEqual({ id: 'picked', type: 'share', urls: [`${server.url}/NewsShare.html?infoCode=NW1`], title: '财经首页' })
  })

  it('reports a URL that is neither a feed nor a page, and writes nothing', async () => {
    server.routes['/data.xml'] = '<?xml version="1.0"?><catalog><book/></catalog>'
    const result = await runCli('add', `${server.url}/data.xml`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/not a feed: got an XML document with root <catalog>/)
    expect(await readConfig()).toBe(original)
  })

  it('reports a URL that fails to fetch with its status', async () => {
    const result = await runCli('add', `${server.url}/missing.xml`, '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/HTTP 404/)
  })

  it('gives the next free id when the derived one is taken', async () => {
    await runCli('add', `${server.url}/rss.xml`, '--config', configPath)
    server.routes['/copy.xml'] = await fixture('rss2.xml')
    await runCli('add', `${server.url}/copy.xml`, '--config', configPath)
    expect(JSON.parse(await readConfig()).sources.map((s: { id: string }) => s.id)).toEqual([
      'existing',
      'meirijingjixinwen-jinrong',
      'meirijingjixinwen-jinrong-2',
    ])
  })
})

describe('feedloom add on a config written on one line per source', () => {
  it('writes the new source on one line too', async () => {
    const text = `{
  "site": { "title": "金融消息", "url": "https://news.example.com/" },
  "sources": [
    { "id": "existing", "type": "feed", "url": "${server.url}/existing.xml" }
  ]
}
`
    ;({ dir, configPath } = await writeConfigText(text))
    await runCli('add', `${server.url}/rss.xml`, '--id', 'nbd', '--config', configPath)
    expect(await readConfig()).toBe(
      text.replace(
        '/existing.xml" }\n',
        `/existing.xml" },\n    { "id": "nbd", "type": "feed", "url": "${server.url}/rss.xml", "title": "每日经济新闻 - 金融" }\n`,
      ),
    )
  })
})
