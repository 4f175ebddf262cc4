import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StoredItem } from '../../src/types.js'
import { createConfig, createItem, createItems, createOutputDir, fileIdentities, readOutput, publishItems, readOutputs } from './publish-fixtures.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)

const PAGES = ['index.html', 'meirijingjixinwen/index.html', 'zhengquanshibao/index.html']

function createHtmlConfig(outputDir: string, output: object = {}) {
  return createConfig(outputDir, { output: { html: true, opml: true, ...output } })
}

async function publishPages(items: StoredItem[] = createItems(), output: object = {}): Promise<string> {
  const dir = await createOutputDir()
  await publishItems({ items, config: createHtmlConfig(dir, output), changedCategories: 'all' })
  return dir
}

/** The DOM Chromium builds from a file, serialized after layout. */
async function dumpDom(file: string): Promise<string> {
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
        `--user-data-dir=${profile}`,
        '--dump-dom',
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
})
