import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli, writeConfigText } from '../helpers/run-cli.js'

const site = { title: '金融消息', url: 'https://news.example.com/' }

const dirs: string[] = []
async function configWith(config: object) {
  const written = await writeConfigText(`${JSON.stringify(config, null, 2)}\n`)
  dirs.push(written.dir)
  return written
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

const sources = [
  { id: 'nbd', type: 'feed', url: 'https://nbd.example.com/rss.xml', title: '每日经济新闻', category: 'meirijingjixinwen' },
  { id: 'nbd-stocks', type: 'feed', url: 'https://nbd.example.com/stocks.xml', category: 'meirijingjixinwen' },
  { id: 'stcn', type: 'feed', url: 'https://stcn.example.com/rss?a=1&b=2', title: '证券时报 <要闻>', category: 'zhengquanshibao' },
  { id: 'eastmoney', type: 'feed', url: 'https://eastmoney.example.com/rss' },
]

describe('feedloom export-opml and import-opml', () => {
  it('round-trip sources with their ids, titles and categories', async () => {
    const from = await configWith({ site, categories: { meirijingjixinwen: { title: '每日经济新闻' }, zhengquanshibao: { title: '证券时报' } }, sources })
    const exported = await runCli('export-opml', '--output', join(from.dir, 'subs.opml'), '--config', from.configPath)
    expect(exported.code).toBe(0)
    const into = await configWith({ site })
    const imported = await runCli('import-opml', join(from.dir, 'subs.opml'), '--config', into.configPath)
    expect(imported.code).toBe(0)
    expect(imported.stdout).toBe(`imported 4 sources and 2 new categories from ${join(from.dir, 'subs.opml')}; skipped 0`)
    const config = JSON.parse(await readFile(into.configPath, 'utf8'))
    expect(config.categories).toEqual({ meirijingjixinwen: { title: '每日经济新闻' }, zhengquanshibao: { title: '证券时报' } })
    expect(config.sources).toEqual(sources)
  })

  it('exports OPML 2.0 with one folder outline per category, on stdout', async () => {
    const { configPath } = await configWith({ site, categories: { meirijingjixinwen: { title: '每日经济新闻' } }, sources: sources.slice(0, 1) })
    const result = await runCli('export-opml', '--config', configPath)
    expect(result.stdout).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:feedloom="https://github.com/feedloom/feedloom/opml">
  <head>
    <title>金融消息</title>
  </head>
  <body>
    <outline text="每日经济新闻" title="每日经济新闻" feedloom:category="meirijingjixinwen">
      <outline type="rss" text="每日经济新闻" title="每日经济新闻" xmlUrl="https://nbd.example.com/rss.xml" feedloom:id="nbd"/>
    </outline>
  </body>
</opml>`)
  })

  it('leaves json and share sources out of an export, saying so', async () => {
    const { configPath } = await configWith({ site, sources: [{ id: 'picked', type: 'share', urls: ['https://a.example/NewsShare.html?infoCode=NW1'] }] })
    const result = await runCli('export-opml', '--config', configPath)
    expect(result.stdout).not.toContain('outline type')
    expect(result.stderr).toBe('warning: source picked not exported: a share source is not a feed a reader can subscribe to')
  })

  it("imports a reader's OPML: folders become pinyin category slugs, each skipped outline is reported with why", async () => {
    const { dir, configPath } = await configWith({ site, sources: [{ id: 'have', type: 'feed', url: 'https://have.example/rss' }] })
    await writeFile(
      join(dir, 'reader.opml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feeds</title></head>
  <body>
    <outline text="证券时报" title="证券时报">
      <outline text="STCN 要闻" type="rss" xmlUrl="https://stcn.example.com/rss"/>
      <outline text="No URL"/>
      <outline text="Mail" type="rss" xmlUrl="mailto:news@example.com"/>
    </outline>
    <outline text="Again" type="rss" xmlUrl="https://HAVE.example/rss"/>
    <outline text="Twice" type="rss" xmlUrl="https://stcn.example.com/rss"/>
    <outline text="Hacker News" type="rss" xmlUrl="https://news.ycombinator.com/rss"/>
  </body>
</opml>`,
    )
    const result = await runCli('import-opml', join(dir, 'reader.opml'), '--config', configPath)
    expect(result.code).toBe(0)
    expect(result.stderr.split('\n')).toEqual([
      `warning: ${join(dir, 'reader.opml')} line 7: skipped "No URL": no xmlUrl`,
      `warning: ${join(dir, 'reader.opml')} line 8: skipped "Mail": xmlUrl mailto:news@example.com is not an http(s) URL`,
      `warning: ${join(dir, 'reader.opml')} line 10: skipped "Again": duplicate url (already source "have")`,
      `warning: ${join(dir, 'reader.opml')} line 11: skipped "Twice": duplicate url (already line 6)`,
      'the running worker (feedloom start) picks it up at its next cycle; no restart needed',
    ])
    const config = JSON.parse(await readFile(configPath, 'utf8'))
    expect(config.categories).toEqual({ zhengquanshibao: { title: '证券时报' } })
    expect(config.sources.slice(1)).toEqual([
      { id: 'stcn-yaowen', type: 'feed', url: 'https://stcn.example.com/rss', title: 'STCN 要闻', category: 'zhengquanshibao' },
      { id: 'hacker-news', type: 'feed', url: 'https://news.ycombinator.com/rss', title: 'Hacker News' },
    ])
  })

  it('reports a file that is not OPML and changes nothing', async () => {
    const { dir, configPath } = await configWith({ site })
    const before = await readFile(configPath, 'utf8')
    await writeFile(join(dir, 'feed.xml'), '<rss version="2.0"><channel/></rss>')
    const result = await runCli('import-opml', join(dir, 'feed.xml'), '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('not OPML')
    expect(await readFile(configPath, 'utf8')).toBe(before)
  })

  it('refuses an OPML nested 20,000 levels deep with E_PARSE_TOO_DEEP, no stack trace, and changes nothing', async () => {
    const { dir, configPath } = await configWith({ site })
    const before = await readFile(configPath, 'utf8')
    const depth = 20_000
    const folders = `${'<outline text="f">\n'.repeat(depth)}<outline type="rss" xmlUrl="https://a.example/rss"/>${'</outline>'.repeat(depth)}`
    await writeFile(join(dir, 'deep.opml'), `<opml version="2.0">\n<head/>\n<body>\n${folders}</body></opml>`)
    const result = await runCli('import-opml', join(dir, 'deep.opml'), '--config', configPath)
    expect([result.code, result.stderr]).toEqual([
      1,
      `error: OPML in ${join(dir, 'deep.opml')} nests elements more than 64 deep at line 66; flatten its folders (E_PARSE_TOO_DEEP)`,
    ])
    expect(await readFile(configPath, 'utf8')).toBe(before)
  })
})
