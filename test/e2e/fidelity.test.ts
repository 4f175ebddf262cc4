import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceHealth } from '../../src/types.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { atomSchemaErrors, hasJudges, judgeFeeds, judgesMissing, type JudgedEntry, type JudgedFeed, xmllintErrors } from '../helpers/judge-feeds.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'

const fixturesDir = resolve(import.meta.dirname, '../fixtures/feeds/fidelity')

/** Each fixture is a source in a category of its own name. */
const FIXTURES = [
  'linkless',
  'tag-links',
  'prefixed-atom',
  'rss10-namespaces',
  'xmlbase-root',
  'atom03',
  'podcast',
  'latin1',
  'bare-ampersand',
  'stray-end-tag',
  'truncated-entries',
] as const

/** Every folder of out/ with feeds: all categories, each fixture's, the second source's and the empty one. */
const FOLDERS = ['', ...FIXTURES, 'copy', 'quiet']

const MP3 = { href: 'https://cdn.radio.example.com/ep12.mp3', type: 'audio/mpeg', length: '1234567' }
const PRIVATE_MP3 = { href: 'http://127.0.0.1:9/private/ep3.mp3', type: 'audio/mpeg', length: '5550000' }
const THUMBNAIL = { href: 'https://pod.example.com/img/ep3.png', type: 'image/png' }
const CHART = { href: 'https://pod.example.com/img/chart.jpg', type: 'image/jpeg' }
const BROKERS_JPG = { href: 'https://base.example.com/news/media/brokers.jpg', type: 'image/jpeg', length: '2048' }

type Expected = Omit<JudgedEntry, 'id'>

/** Every entry each fixture carries, newest first, as a reader should see it in our Atom output. */
const EXPECTED: Record<(typeof FIXTURES)[number], Expected[]> = {
  linkless: [
    { title: '第12期：利率与楼市', date: '2022-01-11T08:00:00Z', enclosures: [MP3] },
    { title: '一条快讯：既无标题，也无链接。', date: '2022-01-11T07:00:00Z', enclosures: [] },
  ],
  'tag-links': [
    { title: '服务恢复正常', date: '2022-01-11T09:00:00Z', enclosures: [] },
    { title: '计划维护', date: '2022-01-11T06:00:00Z', enclosures: [] },
  ],
  'prefixed-atom': [
    { title: '沪指收涨0.5%', link: 'https://prefixed.example.com/a/1.html', date: '2022-01-11T10:00:00Z', enclosures: [] },
    { title: '深成指收跌0.2%', link: 'https://prefixed.example.com/a/2.html', date: '2022-01-11T09:30:00Z', enclosures: [] },
    { title: '创业板指收涨1.1%', link: 'https://prefixed.example.com/a/3.html', date: '2022-01-11T09:00:00Z', enclosures: [] },
  ],
  'rss10-namespaces': [
    { title: '央行开展逆回购操作', link: 'https://rdf.example.com/a/1.html', date: '2022-01-11T00:30:00Z', enclosures: [] },
    { title: '外汇储备规模上升', link: 'https://rdf.example.com/a/2.html', date: '2022-01-10T23:30:00Z', enclosures: [] },
  ],
  'xmlbase-root': [
    { title: '券商板块走强', link: 'https://base.example.com/news/2022/01/11/brokers.html', date: '2022-01-11T06:00:00Z', enclosures: [BROKERS_JPG] },
  ],
  atom03: [
    { title: '基金发行回暖', link: 'https://old.example.com/2022/01/funds.html', date: '2022-01-11T04:00:00Z', enclosures: [] },
    { title: '债市震荡', link: 'https://old.example.com/2022/01/bonds.html', date: '2022-01-11T03:00:00Z', enclosures: [] },
  ],
  podcast: [
    { title: '第3集：新年展望', link: 'https://pod.example.com/ep/3', date: '2022-01-11T02:00:00Z', enclosures: [PRIVATE_MP3, THUMBNAIL] },
    { title: '第2集：图表', link: 'https://pod.example.com/ep/2', date: '2022-01-10T02:00:00Z', enclosures: [CHART] },
  ],
  latin1: [{ title: 'Crème brûlée à la Bourse', link: 'https://latin.example.com/a/1.html', date: '2022-01-10T21:00:00Z', enclosures: [] }],
  'bare-ampersand': [
    { title: 'M&A news &bogus; today', link: 'https://fish.example.com/a?id=1&src=rss', date: '2022-01-11T01:00:00Z', enclosures: [] },
  ],
  'stray-end-tag': [
    { title: '北向资金净流入', link: 'https://stray.example.com/a/1.html', date: '2022-01-11T00:30:00Z', enclosures: [] },
    { title: '南向资金净流出', link: 'https://stray.example.com/a/2.html', date: '2022-01-11T00:20:00Z', enclosures: [] },
  ],
  // The third item was cut off before it closed: the README's rule drops it.
  'truncated-entries': [
    { title: '完整的第一条', link: 'https://cut.example.com/a/1.html', date: '2022-01-10T23:00:00Z', enclosures: [] },
    { title: '完整的第二条', link: 'https://cut.example.com/a/2.html', date: '2022-01-10T22:00:00Z', enclosures: [] },
  ],
}

let server: FeedServer
let dir: string
let configPath: string
let firstRun: { code: number; stdout: string; stderr: string }
/** feedparser's reading of every output file, by path relative to out/: one Python process for all. */
let judged: Map<string, JudgedFeed>

async function fixture(name: string): Promise<Buffer> {
  return readFile(join(fixturesDir, `${name}.xml`))
}

function out(...parts: string[]): string {
  return join(dir, 'out', ...parts)
}

function withoutIds(entries: JudgedEntry[]): Expected[] {
  return entries.map(({ id: _id, ...rest }) => rest)
}

beforeAll(async () => {
  const routes: Record<string, { body: Buffer; headers: Record<string, string> }> = {}
  // Served without a charset: the latin1 fixture declares none anywhere.
  for (const name of FIXTURES) routes[`/${name}.xml`] = { body: await fixture(name), headers: { 'content-type': 'application/xml' } }
  routes['/copy/xmlbase-root.xml'] = { body: await fixture('xmlbase-root'), headers: { 'content-type': 'application/xml' } }
  server = await createFeedServer(routes)
  ;({ dir, configPath } = await writeConfig({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out' },
    categories: Object.fromEntries([...FIXTURES, 'copy', 'quiet'].map((name) => [name, { title: name }])),
    fetch: { timeoutMs: 5000 },
    sources: [
      ...FIXTURES.map((name) => ({ id: name, type: 'feed', url: `${server.url}/${name}.xml`, category: name })),
      { id: 'copy', type: 'feed', url: `${server.url}/copy/xmlbase-root.xml`, category: 'copy' },
    ],
  }))
  firstRun = await runCli('run', '--config', configPath)
  if (hasJudges) {
    const files = FOLDERS.flatMap((folder) => ['rss.xml', 'atom.xml', 'feed.json'].map((file) => join(folder, file)))
    const reports = judgeFeeds(files.map((file) => out(file)))
    judged = new Map(files.map((file, index) => [file, reports[index] as JudgedFeed]))
  }
})

function judgedOf(file: string): JudgedFeed {
  const report = judged.get(file)
  if (report === undefined) throw new Error(`${file} was not judged`)
  return report
}

afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!hasJudges)(`every item a feed carries reaches the reader whole${hasJudges ? '' : ` (${judgesMissing})`}`, () => {
  it('runs the cycle with every source ok', () => {
    expect([firstRun.code, firstRun.stderr]).toEqual([0, ''])
    expect(firstRun.stdout).toMatch(/sources 12 ok, 0 not modified, 0 failed; items 20 new, 0 updated, 1 merged/)
  })

  it.each(FIXTURES)('%s: Atom output has every entry, with its title, link, date and enclosures, as feedparser reads it', (name) => {
    const atom = judgedOf(join(name, 'atom.xml'))
    expect(atom).toMatchObject({ bozo: 0, version: 'atom10' })
    expect(withoutIds(atom.entries)).toEqual(EXPECTED[name])
  })

  it.each(FIXTURES)('%s: RSS output has every entry, with its title, link, date and first enclosure', (name) => {
    const rss = judgedOf(join(name, 'rss.xml'))
    expect(rss).toMatchObject({ bozo: 0, version: 'rss20' })
    // RSS 2.0 has one enclosure per item, whose length is required: 0 when the source gave none.
    const firstEnclosure = (entry: Expected) => entry.enclosures.slice(0, 1).map((enclosure) => ({ length: '0', ...enclosure }))
    expect(withoutIds(rss.entries)).toEqual(EXPECTED[name].map((entry) => ({ ...entry, enclosures: firstEnclosure(entry) })))
  })

  it.each(FIXTURES)('%s: JSON Feed output has every entry, with its title, url, date and attachments', (name) => {
    expect(withoutIds(judgedOf(join(name, 'feed.json')).entries)).toEqual(EXPECTED[name])
  })

  it('keeps what feedparser reads in each well-formed fixture: every entry, its title, its http(s) link and its date', () => {
    const wellFormed = FIXTURES.filter((name) => !['latin1', 'bare-ampersand', 'stray-end-tag', 'truncated-entries'].includes(name))
    const inputs = judgeFeeds(wellFormed.map((name) => join(fixturesDir, `${name}.xml`)))
    wellFormed.forEach((name, index) => {
      const outputs = judgedOf(join(name, 'atom.xml')).entries
      const expected = (inputs[index]?.entries ?? []).map((entry) => {
        // Only the untitled status entry is named after its text; a date feedparser cannot read (Atom 0.3 created) is ours to find.
        const output = outputs.find((one) => one.title === (entry.title ?? '一条快讯：既无标题，也无链接。'))
        return { title: output?.title, link: /^https?:/.test(entry.link ?? '') ? entry.link : undefined, date: entry.date ?? output?.date }
      })
      expect(outputs.map(({ title, link, date }) => ({ title, link, date })), name).toEqual(expect.arrayContaining(expected))
      expect(outputs, name).toHaveLength(expected.length)
    })
  })

  it('gives every output file a clean bill from feedparser, xmllint and RFC 4287’s schema', () => {
    const xmlFiles = FOLDERS.flatMap((folder) => [out(folder, 'rss.xml'), out(folder, 'atom.xml')])
    expect([...judged].filter(([, report]) => report.bozo !== 0).map(([file, report]) => `${file}: ${report.error}`)).toEqual([])
    expect(xmllintErrors(xmlFiles)).toBe('')
    expect(atomSchemaErrors(xmlFiles.filter((file) => file.endsWith('atom.xml')))).toBe('')
  })

  it('writes empty feeds for a configured category that has no items yet', () => {
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(existsSync(out('quiet', file)), file).toBe(true)
    expect(['atom.xml', 'rss.xml', 'feed.json'].map((file) => judgedOf(join('quiet', file)).entries.length)).toEqual([0, 0, 0])
  })

  it('publishes an item carried by sources of two categories in both, and once in the all-categories feeds', () => {
    const titles = (file: string) => judgedOf(file).entries.map((entry) => entry.title)
    expect(titles('xmlbase-root/atom.xml')).toEqual(['券商板块走强'])
    expect(titles('copy/atom.xml')).toEqual(['券商板块走强'])
    expect(titles('atom.xml').filter((title) => title === '券商板块走强')).toHaveLength(1)
  })

  it('gives the Atom feeds the site title as author and RSS names as dc:creator', async () => {
    expect(await readFile(out('linkless', 'atom.xml'), 'utf8')).toContain('    <author>\n        <name>金融消息</name>\n    </author>\n')
    const rss = await readFile(out('rss10-namespaces', 'rss.xml'), 'utf8')
    expect(rss).toMatch(/<dc:creator(?: xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/")?>王五<\/dc:creator>/)
    expect(rss).not.toContain('<author>')
  })

  it('republishes link-less items with a guid that is no permalink and JSON items without url', async () => {
    const rss = await readFile(out('linkless', 'rss.xml'), 'utf8')
    expect(rss).toMatch(/<guid isPermaLink="false">urn:feedloom:[^<]+<\/guid>/)
    expect(rss).not.toContain('<link>https://radio')
    const json = JSON.parse(await readFile(out('tag-links', 'feed.json'), 'utf8')) as { items: Record<string, unknown>[] }
    expect(json.items.map((item) => 'url' in item)).toEqual([false, false])
  })

  it('reads Dublin Core, Media RSS and iTunes descriptions as summaries', async () => {
    const summaries = async (name: string) =>
      ((JSON.parse(await readFile(out(name, 'feed.json'), 'utf8')) as { items: { summary?: string }[] }).items).map((item) => item.summary)
    expect(await summaries('rss10-namespaces')).toEqual(['央行今日开展1000亿元逆回购操作。', undefined])
    expect(await summaries('podcast')).toEqual(['主持人聊2022年的市场。', '一张图表。'])
  })

  it('gives JSON Feed items an image from their image enclosure', async () => {
    const json = JSON.parse(await readFile(out('podcast', 'feed.json'), 'utf8')) as { items: { image?: string }[] }
    expect(json.items.map((item) => item.image)).toEqual([THUMBNAIL.href, CHART.href])
  })

  it('records windows-1252 as the fallback for undeclared bytes that are not UTF-8', async () => {
    const store = JSON.parse(await readFile(join(dir, 'store/db.json'), 'utf8')) as { sources: Record<string, { charset?: unknown }> }
    expect(store.sources.latin1?.charset).toEqual({ encoding: 'windows-1252', reason: 'fallback' })
  })

  it('says in status which sources were recovered from broken XML, and why', async () => {
    const json = await runCli('status', '--json', '--config', configPath)
    const recovered = Object.fromEntries((JSON.parse(json.stdout) as SourceHealth[]).flatMap((one) => (one.recovered === undefined ? [] : [[one.id, one.recovered]])))
    expect(recovered).toEqual({
      'bare-ampersand': expect.stringMatching(/^Invalid character entity at line 4, column/),
      'stray-end-tag': expect.stringMatching(/^Unexpected close tag <\/description>, expected <\/p>|^Unexpected close tag <\/p>/),
      'truncated-entries': expect.stringMatching(/^Unclosed root tag/),
    })
    const table = await runCli('status', '--config', configPath)
    expect(table.stdout).toMatch(/^bare-ampersand: recovered: Invalid character entity at line 4/m)
  })

  it('keeps the same items when the same entries are read again', async () => {
    server.routes['/linkless.xml'] = { body: Buffer.from(`${(await fixture('linkless')).toString()}<!-- again -->\n`), headers: { 'content-type': 'application/xml' } }
    server.routes['/tag-links.xml'] = { body: Buffer.from(`${(await fixture('tag-links')).toString()}<!-- again -->\n`), headers: { 'content-type': 'application/xml' } }
    const again = await runCli('run', '--config', configPath)
    expect(again.stdout).toMatch(/0 failed; items 0 new, 0 updated/)
  })
})
