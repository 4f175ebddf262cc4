import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StoredItem } from '../../src/types.js'
import { createConfig, createItem, createItems, createOutputDir, fileIdentities, readOutput, publishItems, readOutputs } from './publish-fixtures.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
/** Families fontconfig has for Chinese; empty without fontconfig. */
const chineseFonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).stdout ?? ''
/** A face of the pages' font stack; .ci/run installs fonts-noto-cjk, so under CI the check never skips. */
const STACK_FONT = /Noto Sans CJK SC|Source Han Sans SC|WenQuanYi Micro Hei/
const checksFonts = STACK_FONT.test(chineseFonts) || process.env.CI !== undefined

/** Set to a folder (docs/) to keep the screenshots the Chromium test takes. */
const SCREENSHOT_DIR = process.env.FEEDLOOM_SCREENSHOT_DIR

const PAGES = ['index.html', 'meirijingjixinwen/index.html', 'zhengquanshibao/index.html']

function createHtmlConfig(outputDir: string, output: object = {}) {
  return createConfig(outputDir, { output: { html: true, opml: true, ...output } })
}

async function publishPages(items: StoredItem[] = createItems(), output: object = {}): Promise<string> {
  const dir = await createOutputDir()
  await publishItems({ items, config: createHtmlConfig(dir, output), changedCategories: 'all' })
  return dir
}

/** Headless Chromium on a file with `args` (what to make of it); its stdout. */
async function runChromium(file: string, args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(tmpdir(), 'feedloom-chromium-'))
  try {
    const run = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        ...args,
        pathToFileURL(file).href,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    if (run.status !== 0) throw new Error(`chromium exited ${run.status}: ${run.stderr}`)
    return run.stdout
  } finally {
    await rm(profile, { recursive: true, force: true })
  }
}

/** The DOM Chromium builds from a file, serialized after layout. */
function dumpDom(file: string, widthPx = 1280): Promise<string> {
  return runChromium(file, [`--window-size=${widthPx},900`, '--dump-dom'])
}

/** A PNG of the top `heightPx` of the page at `widthPx`, written to `png`. */
async function screenshot(file: string, png: string, widthPx: number, heightPx: number): Promise<void> {
  await runChromium(file, [`--window-size=${widthPx},${heightPx}`, `--screenshot=${png}`])
}

/** Width and height from a PNG's IHDR chunk. */
async function readPngSize(png: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(png)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/**
 * Whether anything on the page reaches past `widthPx` (a sideways scroll on a phone). The pages
 * carry no script; a copy beside them gets one that writes the answer into the DOM. Headless
 * Chromium's window is at least 500 px wide, so the copy lays the page out in `widthPx` itself.
 */
async function overflowsAt(file: string, widthPx: number): Promise<boolean> {
  const probe = path.join(path.dirname(file), 'overflow-probe.html')
  const style = `<style>html { width: ${widthPx}px }</style>`
  const script = `<script>document.body.dataset.overflow = String([...document.querySelectorAll('body *')].some((e) => e.getBoundingClientRect().right > ${widthPx} + 0.5))</script>`
  const page = await readFile(file, 'utf8')
  await writeFile(probe, page.replace('</head>', `${style}</head>`).replace('</body>', `${script}</body>`))
  const dom = await dumpDom(probe, widthPx)
  const overflow = /data-overflow="(true|false)"/.exec(dom)?.[1]
  if (overflow === undefined) throw new Error('the overflow probe did not run')
  return overflow === 'true'
}

/** `count` items of one category, a minute apart, NW0 the oldest. */
function createSeries(count: number, overrides: Partial<StoredItem> = {}): StoredItem[] {
  return Array.from({ length: count }, (_, i) =>
    createItem(`NW${i}`, { published: new Date(Date.UTC(2022, 0, 11, 0, i)).toISOString(), ...overrides }),
  )
}

/** The infoCodes of the items a page lists, in order. */
function listedCodes(page: string): string[] {
  return [...page.matchAll(/<h2><a href="https:\/\/finance\.example\.com\/a\/(NW\d+)\.html">/g)].map((m) => m[1] ?? '')
}

/** A site of three pages: 7 items, 3 a page. */
function createPagedConfig(dir: string, categoryOverrides: object = {}) {
  return createConfig(dir, { output: { html: true }, categories: { meirijingjixinwen: { title: '每日经济新闻', maxItems: 3, ...categoryOverrides } } })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('HTML pages', () => {
  it('writes out/index.html and out/<category>/index.html', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: createItems(), config: createHtmlConfig(dir), changedCategories: 'all' })
    expect(result.written.filter((file) => file.endsWith('.html'))).toEqual(PAGES)
  })

  it('declares UTF-8, a phone-width viewport and the page language, and carries no script', async () => {
    const page = await readOutput(await publishPages(), 'index.html')
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n/)
    expect(page).not.toMatch(/<script|javascript:|\son\w+=/i)
  })

  it('offers every feed for discovery in <link rel="alternate">, the all-categories feed first', async () => {
    const page = await readOutput(await publishPages(), 'index.html')
    const alternates = [...page.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">/g)].map((m) => m.slice(1))
    expect(alternates.slice(0, 4)).toEqual([
      ['application/rss+xml', '金融消息 (RSS)', 'https://news.example.com/feeds/rss.xml'],
      ['application/atom+xml', '金融消息 (Atom)', 'https://news.example.com/feeds/atom.xml'],
      ['application/feed+json', '金融消息 (JSON Feed)', 'https://news.example.com/feeds/feed.json'],
      ['application/rss+xml', '每日经济新闻 - 金融消息 (RSS)', 'https://news.example.com/feeds/meirijingjixinwen/rss.xml'],
    ])
    expect(alternates).toHaveLength(9)
  })

  it('links only the configured formats, plus feeds.opml when it is published', async () => {
    const page = await readOutput(await publishPages(createItems(), { formats: ['atom'] }), 'index.html')
    expect(page).toContain(
      '<p class="subscribe">订阅全部：<a href="https://news.example.com/feeds/atom.xml" type="application/atom+xml">Atom</a> <a href="https://news.example.com/feeds/feeds.opml">OPML</a></p>',
    )
    expect(page).not.toMatch(/rss\.xml|feed\.json/)
  })

  it('opens the home page with the newest items of every category together: outlet, time and category', async () => {
    const items = [
      ...createItems(),
      createItem('NW9', { category: 'zhengquanshibao', published: '2022-01-12T01:00:00.000Z', media: '证券时报网' }),
    ]
    const page = await readOutput(await publishPages(items), 'index.html')
    const latest = /<section class="latest">[\s\S]*?<\/section>/.exec(page)?.[0] ?? ''
    expect(latest.split('\n').slice(0, 5)).toEqual([
      '<section class="latest">',
      '<h2>最新</h2>',
      '<ul>',
      '<li><h3><a href="https://finance.example.com/a/NW9.html">央行开展公开市场操作 NW9</a></h3><p class="meta"><span class="outlet">证券时报网</span> · <time datetime="2022-01-12T01:00:00.000Z">2022-01-12 09:00</time> · <a href="zhengquanshibao/">证券时报</a></p></li>',
      '<li><h3><a href="https://finance.example.com/a/NW202201112243496802.html">央行开展公开市场操作 NW202201112243496802</a></h3><p class="meta"><time datetime="2022-01-11T07:20:00.000Z">2022-01-11 15:20</time> · <a href="zhengquanshibao/">证券时报</a></p></li>',
    ])
    expect([...latest.matchAll(/<h3><a href="[^"]+\/(NW\d+)\.html">/g)].map((m) => m[1])).toEqual(['NW9', 'NW202201112243496802', 'NW202201112243496753', 'NW202201112243496752', 'NW202201112243496801'])
    expect(page.indexOf('<section class="latest">')).toBeLessThan(page.indexOf('<h2><a href="meirijingjixinwen/">'))
  })

  it('leaves the outlet out of the newest list where it is the category itself', async () => {
    const page = await readOutput(await publishPages([createItem('NW1', { media: '每日经济新闻' })]), 'index.html')
    expect(page).toContain('<p class="meta"><time datetime="2022-01-11T05:35:18.000Z">2022-01-11 13:35</time> · <a href="meirijingjixinwen/">每日经济新闻</a></p>')
  })

  it('says on every page when it was last updated: the newest item of what it shows, in the site time zone', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: [...createSeries(7), createItem('NW8', { category: 'zhengquanshibao', published: '2022-01-12T02:00:00.000Z' })], config: createPagedConfig(dir), changedCategories: 'all' })
    expect(await readOutput(dir, 'index.html')).toContain('<p class="updated">更新于 <time datetime="2022-01-12T02:00:00.000Z">2022-01-12 10:00</time></p>')
    for (const file of ['meirijingjixinwen/index.html', 'meirijingjixinwen/page/3.html']) {
      expect(await readOutput(dir, file)).toContain('<p class="updated">更新于 <time datetime="2022-01-11T00:06:00.000Z">2022-01-11 08:06</time></p>')
    }
  })

  it('paginates a category through every published item: index.html, then page/2.html, page/3.html…', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: createSeries(7), config: createPagedConfig(dir), changedCategories: 'all' })
    expect(result.written.filter((file) => file.startsWith('meirijingjixinwen/') && file.endsWith('.html'))).toEqual([
      'meirijingjixinwen/index.html',
      'meirijingjixinwen/page/2.html',
      'meirijingjixinwen/page/3.html',
    ])
    const pages = await readOutputs(dir, ['meirijingjixinwen/index.html', 'meirijingjixinwen/page/2.html', 'meirijingjixinwen/page/3.html'])
    expect(Object.values(pages).map(listedCodes)).toEqual([['NW6', 'NW5', 'NW4'], ['NW3', 'NW2', 'NW1'], ['NW0']])
  })

  it('links the pages of a category to each other and home with relative links', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createSeries(7), config: createPagedConfig(dir), changedCategories: 'all' })
    expect(await readOutput(dir, 'meirijingjixinwen/index.html')).toContain(
      '<nav class="pages" aria-label="第 1 / 3 页">\n<span aria-current="page">1</span>\n<a href="page/2.html">2</a>\n<a href="page/3.html">3</a>\n<a href="page/2.html" rel="next">下一页 →</a>\n</nav>',
    )
    const second = await readOutput(dir, 'meirijingjixinwen/page/2.html')
    expect(second).toContain('<title>每日经济新闻 - 金融消息 · 第 2 / 3 页</title>')
    expect(second).toContain('<p class="crumb"><a href="../../">金融消息</a></p>')
    expect(second).toContain(
      '<nav class="pages" aria-label="第 2 / 3 页">\n<a href="../" rel="prev">← 上一页</a>\n<a href="../">1</a>\n<span aria-current="page">2</span>\n<a href="3.html">3</a>\n<a href="3.html" rel="next">下一页 →</a>\n</nav>',
    )
  })

  it('links its feeds from every page of a category, for subscribing and for discovery, with no script', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createSeries(7), config: createPagedConfig(dir), changedCategories: 'all' })
    const page = await readOutput(dir, 'meirijingjixinwen/page/3.html')
    expect(page).toContain('<p class="subscribe">订阅：<a href="https://news.example.com/feeds/meirijingjixinwen/rss.xml" type="application/rss+xml">RSS</a>')
    expect(page).toContain('<link rel="alternate" type="application/atom+xml" title="每日经济新闻 - 金融消息 (Atom)" href="https://news.example.com/feeds/meirijingjixinwen/atom.xml">')
    expect(page).not.toMatch(/<script|javascript:|\son\w+=/i)
  })

  it('pages only the items the filters publish', async () => {
    const dir = await createOutputDir()
    const items = [...createSeries(7), ...createSeries(3, { title: '广告' }).map((item, i) => ({ ...item, id: `urn:feedloom:AD${i}`, link: `https://finance.example.com/a/AD${i}.html` }))]
    await publishItems({ items, config: createPagedConfig(dir, { filters: { exclude: { title: ['广告'] } } }), changedCategories: 'all' })
    expect(await readdir(path.join(dir, 'meirijingjixinwen/page'))).toEqual(['2.html', '3.html'])
    expect(await readOutput(dir, 'meirijingjixinwen/page/3.html')).not.toContain('广告')
  })

  it('removes the pages a category no longer fills, and nothing else in its page folder', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createSeries(7), config: createPagedConfig(dir), changedCategories: 'all' })
    await writeFile(path.join(dir, 'meirijingjixinwen/page/notes.txt'), 'mine')
    const result = await publishItems({ items: createSeries(4), config: createPagedConfig(dir), changedCategories: new Set(['meirijingjixinwen']) })
    expect(result.removedPages).toEqual(['meirijingjixinwen/page/3.html'])
    expect((await readdir(path.join(dir, 'meirijingjixinwen/page'))).sort()).toEqual(['2.html', 'notes.txt'])
  })

  it('lists the pages it would remove in a dry run and removes none', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createSeries(7), config: createPagedConfig(dir), changedCategories: 'all' })
    const result = await publishItems({ items: createSeries(1), config: createPagedConfig(dir), changedCategories: 'all', dryRun: true })
    expect(result.removedPages).toEqual(['meirijingjixinwen/page/2.html', 'meirijingjixinwen/page/3.html'])
    expect(await readdir(path.join(dir, 'meirijingjixinwen/page'))).toEqual(['2.html', '3.html'])
  })

  it('regenerates the later pages of a changed category only', async () => {
    const dir = await createOutputDir()
    const other = createSeries(7, { category: 'zhengquanshibao' }).map((item) => ({ ...item, id: `${item.id}-z`, link: `${item.link}?z` }))
    const config = createConfig(dir, { output: { html: true, itemsPerFeed: 3 } })
    await publishItems({ items: [...createSeries(7), ...other], config, changedCategories: 'all' })
    const before = await fileIdentities(dir, ['zhengquanshibao/page/2.html', 'zhengquanshibao/page/3.html'])
    const items = [...createSeries(8), ...other]
    const result = await publishItems({ items, config, changedCategories: new Set(['meirijingjixinwen']) })
    expect(result.written.filter((file) => file.includes('/page/'))).toEqual(['meirijingjixinwen/page/2.html', 'meirijingjixinwen/page/3.html'])
    expect(await fileIdentities(dir, ['zhengquanshibao/page/2.html', 'zhengquanshibao/page/3.html'])).toEqual(before)
  })

  it('draws Chinese with a CJK font stack, Simplified Chinese faces first for zh-CN', async () => {
    const page = await readOutput(await publishPages(), 'index.html')
    expect(page).toMatch(/--cjk: "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC"/)
    expect(page).toContain('font: 17px/1.6 system-ui, -apple-system, "Segoe UI", var(--cjk), sans-serif;')
  })

  it.skipIf(!checksFonts)(
    `has a face of the font stack installed for Chinese, so Chromium draws the pages with it${checksFonts ? '' : ' (skipped: no CJK font; apt-get install fonts-noto-cjk)'}`,
    () => {
      expect(chineseFonts).toMatch(STACK_FONT)
    },
  )

  it('lists each category on the home page with its title, item count, subscribe links and newest items', async () => {
    const page = await readOutput(await publishPages(), 'index.html')
    const section = /<section>\n<h2><a href="meirijingjixinwen\/">[\s\S]*?<\/section>/.exec(page)?.[0]
    expect(section).toBe(
      [
        '<section>',
        '<h2><a href="meirijingjixinwen/">每日经济新闻</a><span class="count">2 篇</span></h2>',
        '<p class="subscribe">订阅：<a href="https://news.example.com/feeds/meirijingjixinwen/rss.xml" type="application/rss+xml">RSS</a> <a href="https://news.example.com/feeds/meirijingjixinwen/atom.xml" type="application/atom+xml">Atom</a> <a href="https://news.example.com/feeds/meirijingjixinwen/feed.json" type="application/feed+json">JSON Feed</a></p>',
        '<ul>',
        '<li><a href="https://finance.example.com/a/NW202201112243496753.html">央行开展公开市场操作 NW202201112243496753</a><time datetime="2022-01-11T06:10:00.000Z">2022-01-11 14:10</time></li>',
        '<li><a href="https://finance.example.com/a/NW202201112243496752.html">央行开展公开市场操作 NW202201112243496752</a><time datetime="2022-01-11T05:35:18.000Z">2022-01-11 13:35</time></li>',
        '</ul>',
        '</section>',
      ].join('\n'),
    )
  })

  it('shows the five newest items of a category on the home page and links to the rest', async () => {
    const items = Array.from({ length: 7 }, (_, i) => createItem(`NW${i}`, { published: `2022-01-1${i}T00:00:00.000Z` }))
    const page = await readOutput(await publishPages(items), 'index.html')
    expect([...page.matchAll(/<li><a href="[^"]+\/(NW\d)\.html">/g)].map((m) => m[1])).toEqual(['NW6', 'NW5', 'NW4', 'NW3', 'NW2'])
    expect(page).toContain('<p><a href="meirijingjixinwen/">查看全部 7 篇 →</a></p>')
  })

  it("lists a category's items newest first with their dates in the site time zone, authors and summaries", async () => {
    const page = await readOutput(await publishPages(), 'meirijingjixinwen/index.html')
    expect(page).toContain(
      [
        '<li><article>',
        '<h2><a href="https://finance.example.com/a/NW202201112243496753.html">央行开展公开市场操作 NW202201112243496753</a></h2>',
        '<p class="meta"><time datetime="2022-01-11T06:10:00.000Z">2022-01-11 14:10</time> · 张三</p>',
        '<p>央行今日开展逆回购操作</p>',
        '</article></li>',
        '<li><article>',
        '<h2><a href="https://finance.example.com/a/NW202201112243496752.html">',
      ].join('\n'),
    )
  })

  it('titles a category page with the category and links back to the home page', async () => {
    const page = await readOutput(await publishPages(), 'zhengquanshibao/index.html')
    expect(page).toContain('<title>证券时报 - 金融消息</title>')
    expect(page).toContain('<p class="crumb"><a href="../">金融消息</a></p>\n<h1>证券时报<span class="count">共 2 篇</span></h1>')
  })

  it('writes dates in the configured site time zone', async () => {
    const dir = await createOutputDir()
    const config = { ...createHtmlConfig(dir), site: { ...createHtmlConfig(dir).site, timezone: 'America/New_York' } }
    await publishItems({ items: createItems(), config, changedCategories: 'all' })
    expect(await readOutput(dir, 'meirijingjixinwen/index.html')).toContain('<time datetime="2022-01-11T06:10:00.000Z">2022-01-11 01:10</time>')
  })

  it('shows markup in titles, authors and summaries as text', async () => {
    const item = createItem('NW1', { title: '<script>alert(1)</script> & "引号"', author: '<b>张三</b>', summary: '<img src=x onerror=alert(1)>摘要' })
    const page = await readOutput(await publishPages([item]), 'meirijingjixinwen/index.html')
    expect(page).toContain('>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;引号&quot;</a></h2>')
    expect(page).toContain(' · &lt;b&gt;张三&lt;/b&gt;</p>')
    expect(page).not.toMatch(/<script|<img|<b>/)
  })

  it('does not link an item whose link is not http(s)', async () => {
    const page = await readOutput(await publishPages([createItem('NW1', { link: 'javascript:alert(1)' })]), 'meirijingjixinwen/index.html')
    expect(page).toContain('<h2>央行开展公开市场操作 NW1</h2>')
    expect(page).not.toContain('javascript:')
  })

  it('lists at most the category maxItems on its page', async () => {
    const items = Array.from({ length: 4 }, (_, i) => createItem(`NW${i}`, { published: `2022-01-1${i}T00:00:00.000Z` }))
    const dir = await createOutputDir()
    const config = createConfig(dir, { output: { html: true }, categories: { meirijingjixinwen: { title: '每日经济新闻', maxItems: 2 } } })
    await publishItems({ items, config, changedCategories: 'all' })
    const page = await readOutput(dir, 'meirijingjixinwen/index.html')
    expect(page.match(/<article>/g)).toHaveLength(2)
    expect(page).toContain('<span class="count">最新 2 篇，共 4 篇</span>')
  })

  it('writes English labels for a site in another language', async () => {
    const dir = await createOutputDir()
    const config = { ...createHtmlConfig(dir), site: { ...createHtmlConfig(dir).site, language: 'en' } }
    await publishItems({ items: createItems(), config, changedCategories: 'all' })
    expect(await readOutput(dir, 'index.html')).toContain('<span class="count">2 items</span>')
  })

  it('produces the same bytes whatever the clock says', async () => {
    const first = await publishPages()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-06-01T12:00:00Z'))
    const second = await publishPages(createItems().reverse())
    expect(await readOutputs(second, PAGES)).toEqual(await readOutputs(first, PAGES))
  })

  it('regenerates the home page with any change and a category page only with its category', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createHtmlConfig(dir), changedCategories: 'all' })
    const before = await fileIdentities(dir, ['zhengquanshibao/index.html'])
    const items = [...createItems(), createItem('NW9', { published: '2022-01-12T00:00:00.000Z' })]
    const result = await publishItems({ items, config: createHtmlConfig(dir), changedCategories: new Set(['meirijingjixinwen']) })
    expect(result.written.filter((file) => file.endsWith('.html'))).toEqual(['index.html', 'meirijingjixinwen/index.html'])
    expect(await fileIdentities(dir, ['zhengquanshibao/index.html'])).toEqual(before)
  })

  it('writes no page when output.html is false', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: createItems(), config: createHtmlConfig(dir, { html: false }), changedCategories: 'all' })
    expect(result.written.filter((file) => file.endsWith('.html'))).toEqual([])
  })

  it.skipIf(!hasChromium)(
    `renders in headless Chromium with the Chinese titles and subscribe links in the DOM${hasChromium ? '' : ` (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`}`,
    async () => {
      const items = [...createItems(), createItem('NW9', { title: '深圳征信服务有限公司通过备案正式运行', category: 'zhengquanshibao' })]
      const dom = await dumpDom(path.join(await publishPages(items), 'index.html'))
      expect(dom).toContain('<h1>金融消息</h1>')
      expect(dom).toContain('>深圳征信服务有限公司通过备案正式运行</a>')
      expect(dom).toContain('<a href="meirijingjixinwen/">每日经济新闻</a>')
      for (const feed of ['rss.xml', 'atom.xml', 'feed.json', 'feeds.opml', 'zhengquanshibao/rss.xml']) {
        expect(dom).toContain(`href="https://news.example.com/feeds/${feed}"`)
      }
    },
  )

  it.skipIf(!hasChromium)(
    `fits a phone (390 px) and a desktop (1280 px) without sideways scrolling, and screenshots both${hasChromium ? '' : ` (skipped: ${CHROMIUM} is not installed)`}`,
    async () => {
      const dir = await createOutputDir()
      const longTitle = { title: '深圳征信服务有限公司通过备案正式运行，'.repeat(4) + `NW${'0123456789'.repeat(8)}` }
      const items = [
        ...createSeries(12, { media: '每经网' }),
        createItem('NW90', { category: 'zhengquanshibao', published: '2022-01-11T09:00:00.000Z', media: '证券时报网', ...longTitle }),
        createItem('NW91', { category: 'zhengquanshibao', published: '2022-01-11T08:30:00.000Z', author: '李四' }),
      ]
      await publishItems({ items, config: createPagedConfig(dir), changedCategories: 'all' })
      const shotsDir = SCREENSHOT_DIR ?? (await mkdtemp(path.join(tmpdir(), 'feedloom-shots-')))
      await mkdir(shotsDir, { recursive: true })
      for (const [name, file] of [['index', 'index.html'], ['category', 'meirijingjixinwen/index.html']] as const) {
        for (const [widthPx, heightPx] of [[390, 1400], [1280, 1000]] as const) {
          // A page that fits a phone fits a desktop too: one probe each keeps the test short.
          if (widthPx === 390) expect(await overflowsAt(path.join(dir, file), widthPx)).toBe(false)
          const png = path.join(shotsDir, `site-${name}-${widthPx}.png`)
          await screenshot(path.join(dir, file), png, widthPx, heightPx)
          expect(await readPngSize(png)).toEqual({ width: widthPx, height: heightPx })
        }
      }
    },
    120_000,
  )
})
