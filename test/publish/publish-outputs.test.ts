import { access, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PublishedItems } from '../../src/publish/plan-feeds.js'
import { publishOutputs } from '../../src/publish/publish-outputs.js'
import { listFiles } from '../helpers/file-tree.js'
import {
  ALL_FILES,
  createConfig,
  createItem,
  createItems,
  createOutputDir,
  fileIdentities,
  publishItems,
  readOutput,
  readOutputs,
} from './publish-fixtures.js'

const ZHENGQUAN_FILES = ALL_FILES.filter((file) => file.startsWith('zhengquanshibao/'))

function jsonItemIds(text: string): string[] {
  return (JSON.parse(text) as { items: { id: string }[] }).items.map((item) => item.id)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('publishOutputs', () => {
  it('writes rss.xml, atom.xml and feed.json for all categories and for each category', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    expect(result).toEqual({ written: ALL_FILES, unchanged: 0, failed: [], removed: [] })
    expect(await listFiles(dir)).toEqual([...ALL_FILES].sort())
  })

  it('writes only the formats in output.formats', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir, { output: { formats: ['atom'] } }), changedCategories: 'all' })
    expect(await listFiles(dir)).toEqual(['atom.xml', 'meirijingjixinwen/atom.xml', 'zhengquanshibao/atom.xml'])
  })

  it('writes nothing and leaves every file untouched when the same items are published again', async () => {
    const dir = await createOutputDir()
    const options = { items: createItems(), config: createConfig(dir), changedCategories: 'all' as const }
    await publishItems(options)
    const before = await fileIdentities(dir, ALL_FILES)
    const result = await publishItems(options)
    expect(result).toEqual({ written: [], unchanged: ALL_FILES.length, failed: [], removed: [] })
    expect(await fileIdentities(dir, ALL_FILES)).toEqual(before)
  })

  it('produces the same bytes later, from items in another order, whatever the clock says', async () => {
    const firstDir = await createOutputDir()
    const secondDir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(firstDir), changedCategories: 'all' })
    // Only Date is faked: nothing here waits on timers.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2031-06-01T12:00:00Z'))
    await publishItems({ items: createItems().reverse(), config: createConfig(secondDir), changedCategories: 'all' })
    expect(await readOutputs(secondDir, ALL_FILES)).toEqual(await readOutputs(firstDir, ALL_FILES))
  })

  it('dates each feed with its newest item date, counting updates', async () => {
    const dir = await createOutputDir()
    const items = [
      createItem('NW202201112243496752', { published: '2022-01-11T05:35:18.000Z', updated: '2022-01-12T09:00:00.000Z' }),
      createItem('NW202201112243496753', { published: '2022-01-11T06:10:00.000Z' }),
    ]
    await publishItems({ items, config: createConfig(dir), changedCategories: 'all' })
    expect(await readOutput(dir, 'meirijingjixinwen/atom.xml')).toContain('<updated>2022-01-12T09:00:00.000Z</updated>\n    <generator>')
    expect(await readOutput(dir, 'meirijingjixinwen/rss.xml')).toContain('<lastBuildDate>Wed, 12 Jan 2022 09:00:00 GMT</lastBuildDate>')
  })

  it('dates an empty all-categories feed with the Unix epoch', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: [], config: createConfig(dir, { categories: {} }), changedCategories: 'all' })
    expect(result.written).toEqual(['rss.xml', 'atom.xml', 'feed.json'])
    expect(await readOutput(dir, 'atom.xml')).toContain('<updated>1970-01-01T00:00:00.000Z</updated>')
    expect(await readOutput(dir, 'rss.xml')).toContain('<lastBuildDate>Thu, 01 Jan 1970 00:00:00 GMT</lastBuildDate>')
  })

  it('lists items newest first, ties by id, capped at output.itemsPerFeed', async () => {
    const dir = await createOutputDir()
    const items = [
      createItem('NW3', { published: '2022-01-11T05:00:00.000Z' }),
      createItem('NW2', { published: '2022-01-11T08:00:00.000Z' }),
      createItem('NW1', { published: '2022-01-11T08:00:00.000Z' }),
    ]
    await publishItems({ items, config: createConfig(dir, { output: { itemsPerFeed: 2 } }), changedCategories: 'all' })
    expect(jsonItemIds(await readOutput(dir, 'feed.json'))).toEqual(['urn:feedloom:NW1', 'urn:feedloom:NW2'])
  })

  it('regenerates only the changed categories and the all-categories feeds', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    const zhengquanBefore = await fileIdentities(dir, ZHENGQUAN_FILES)
    const retitled = createItems().map((item) => ({ ...item, title: `${item.title}（更新）` }))
    const result = await publishItems({
      items: retitled,
      config: createConfig(dir),
      changedCategories: new Set(['meirijingjixinwen']),
    })
    expect(result.written).toEqual(ALL_FILES.filter((file) => !ZHENGQUAN_FILES.includes(file)))
    expect(await fileIdentities(dir, ZHENGQUAN_FILES)).toEqual(zhengquanBefore)
    expect(await readOutput(dir, 'zhengquanshibao/rss.xml')).not.toContain('（更新）')
  })

  it('leaves no temp file in the output folder, removing those a killed publish left beside files it does not rewrite', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    await writeFile(path.join(dir, 'zhengquanshibao', '.rss.xml.tmp'), '<rss')
    const retitled = createItems().map((item) => ({ ...item, title: `${item.title}（更新）` }))
    await publishItems({ items: retitled, config: createConfig(dir), changedCategories: new Set(['meirijingjixinwen']) })
    expect(await listFiles(dir)).toEqual([...ALL_FILES].sort())
  })

  it('leaves the files of a category that no longer has items in place', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    const before = await readOutputs(dir, ZHENGQUAN_FILES)
    const remaining = createItems().filter((item) => item.category !== 'zhengquanshibao')
    const result = await publishItems({ items: remaining, config: createConfig(dir), changedCategories: new Set(['zhengquanshibao']) })
    expect(result.written).toEqual(['rss.xml', 'atom.xml', 'feed.json'])
    expect(await readOutputs(dir, ZHENGQUAN_FILES)).toEqual(before)
  })

  it('regenerates nothing when no category changed', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: new Set() })
    expect(result).toEqual({ written: [], unchanged: 0, failed: [], removed: [] })
    expect(await listFiles(dir)).toEqual([])
  })

  it.each(['https://news.example.com/feeds', 'https://news.example.com/feeds/'])(
    'links rss and atom to themselves with atom:link rel="self" and an absolute URL (site url %s)',
    async (siteUrl) => {
      const dir = await createOutputDir()
      await publishItems({ items: createItems(), config: createConfig(dir, { siteUrl }), changedCategories: 'all' })
      expect(await readOutput(dir, 'meirijingjixinwen/rss.xml')).toContain(
        '<atom:link href="https://news.example.com/feeds/meirijingjixinwen/rss.xml" rel="self" type="application/rss+xml"/>',
      )
      expect(await readOutput(dir, 'meirijingjixinwen/atom.xml')).toContain(
        '<link rel="self" href="https://news.example.com/feeds/meirijingjixinwen/atom.xml"/>',
      )
      expect(await readOutput(dir, 'atom.xml')).toContain('<link rel="self" href="https://news.example.com/feeds/atom.xml"/>')
    },
  )

  it('writes JSON Feed 1.1 with authors arrays, language and feed_url', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    const feed = JSON.parse(await readOutput(dir, 'meirijingjixinwen/feed.json')) as Record<string, unknown>
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: '每日经济新闻 - 金融消息',
      home_page_url: 'https://news.example.com/feeds/meirijingjixinwen/',
      feed_url: 'https://news.example.com/feeds/meirijingjixinwen/feed.json',
      language: 'zh-CN',
    })
    expect((feed.items as unknown[])[0]).toEqual({
      id: 'urn:feedloom:NW202201112243496753',
      url: 'https://finance.example.com/a/NW202201112243496753.html',
      title: '央行开展公开市场操作 NW202201112243496753',
      content_html: '<p>央行今日开展逆回购操作。NW202201112243496753</p>',
      summary: '央行今日开展逆回购操作',
      date_published: '2022-01-11T06:10:00.000Z',
      date_modified: '2022-01-11T06:10:00.000Z',
      authors: [{ name: '张三' }],
      tags: ['每日经济新闻', '每日经济新闻新闻'],
    })
  })

  it('titles a category from the config, else from its newest item, else with its slug', async () => {
    const dir = await createOutputDir()
    const items = [...createItems(), createItem('NW9', { category: 'xinhuashe', categoryTitle: undefined })]
    await publishItems({ items, config: createConfig(dir), changedCategories: 'all' })
    const titleOf = async (file: string) => (JSON.parse(await readOutput(dir, file)) as { title: string }).title
    expect(await titleOf('meirijingjixinwen/feed.json')).toBe('每日经济新闻 - 金融消息')
    expect(await titleOf('zhengquanshibao/feed.json')).toBe('证券时报 - 金融消息')
    expect(await titleOf('xinhuashe/feed.json')).toBe('xinhuashe - 金融消息')
  })

  it('summarizes an item without a summary with the first 200 characters of its text', async () => {
    const dir = await createOutputDir()
    const content = `<p>${'央行'.repeat(150)}</p>`
    await publishItems({ items: [createItem('NW1', { summary: undefined, content })], config: createConfig(dir), changedCategories: 'all' })
    const feed = JSON.parse(await readOutput(dir, 'feed.json')) as { items: { summary: string }[] }
    expect(feed.items[0]?.summary).toBe(`${'央行'.repeat(100)}…`)
  })

  it('keeps the old files and reports them when an item has a relative link', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    const before = await readOutputs(dir, ALL_FILES)
    const items = [...createItems(), createItem('NW202201112243496999', { link: '/a/NW202201112243496999.html' })]
    const result = await publishItems({ items, config: createConfig(dir), changedCategories: 'all' })
    expect(result.failed.map((failure) => failure.file)).toEqual(ALL_FILES.filter((file) => !ZHENGQUAN_FILES.includes(file)))
    expect(result.failed.find((failure) => failure.file === 'feed.json')?.reason).toBe(
      'link is not absolute http(s): "/a/NW202201112243496999.html"',
    )
    expect(result.unchanged).toBe(ZHENGQUAN_FILES.length)
    expect(await readOutputs(dir, ALL_FILES)).toEqual(before)
  })

  it('keeps the old file and reports it when an item has an invalid date', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all' })
    const before = await readOutput(dir, 'rss.xml')
    // No store holds such an item (upsert dates it first-seen); publishing must still refuse it.
    const invalid = createItem('NW202201112243496999', { published: 'not a date' })
    const items: PublishedItems = {
      newestItems: async ({ category }) => (category === undefined || category === invalid.category ? [invalid] : []),
      pageItems: async () => [],
      liveItems: async () => [],
      findItem: async () => undefined,
      countItems: async () => ({ all: 1, categories: new Map([[invalid.category, { items: 1 }]]) }),
    }
    const result = await publishOutputs({ items, config: createConfig(dir), changedCategories: new Set(['meirijingjixinwen']) })
    expect(result.failed.find((failure) => failure.file === 'rss.xml')?.reason).toContain('invalid date "Invalid Date"')
    expect(result.written).toEqual([])
    expect(await readOutput(dir, 'rss.xml')).toBe(before)
  })

  it('strips characters XML 1.0 forbids so the output stays well-formed', async () => {
    const dir = await createOutputDir()
    const title = '\u0001央行\u0008开展\u000B公开\uFFFE市场\uD800操作\u001F'
    await publishItems({ items: [createItem('NW1', { title })], config: createConfig(dir), changedCategories: 'all' })
    const rss = await readOutput(dir, 'rss.xml')
    expect(XMLValidator.validate(rss)).toBe(true)
    expect(XMLValidator.validate(await readOutput(dir, 'atom.xml'))).toBe(true)
    expect(rss).toContain('<title><![CDATA[央行开展公开市场操作]]></title>')
  })

  it("tags items with their category title, their outlet's name + 新闻 and their own categories", async () => {
    const dir = await createOutputDir()
    const item = createItem('NW1', { media: '证券时报', categories: ['宏观', '证券时报新闻'] })
    await publishItems({ items: [item], config: createConfig(dir), changedCategories: 'all' })
    const feed = JSON.parse(await readOutput(dir, 'feed.json')) as { items: { tags: string[] }[] }
    expect(feed.items[0]?.tags).toEqual(['每日经济新闻', '证券时报新闻', '宏观'])
    expect(await readOutput(dir, 'rss.xml')).toContain('<category>证券时报新闻</category>')
  })

  it('caps a category feed at its maxItems, leaving the all-categories feed at itemsPerFeed', async () => {
    const dir = await createOutputDir()
    const config = createConfig(dir, { categories: { meirijingjixinwen: { title: '每日经济新闻', maxItems: 1 } } })
    await publishItems({ items: createItems(), config, changedCategories: 'all' })
    expect(jsonItemIds(await readOutput(dir, 'meirijingjixinwen/feed.json'))).toEqual(['urn:feedloom:NW202201112243496753'])
    expect(jsonItemIds(await readOutput(dir, 'feed.json'))).toHaveLength(4)
  })

  it('leaves out of every output the items a filter excludes', async () => {
    const dir = await createOutputDir()
    const items = [...createItems(), createItem('NW9', { title: '【广告】理财' })]
    const config = createConfig(dir, { categories: { meirijingjixinwen: { title: '每日经济新闻', filters: { exclude: { title: ['广告'] } } } } })
    await publishItems({ items, config, changedCategories: 'all' })
    expect(jsonItemIds(await readOutput(dir, 'feed.json'))).not.toContain('urn:feedloom:NW9')
    expect(await readOutput(dir, 'meirijingjixinwen/rss.xml')).not.toContain('广告')
  })

  it('republishes filtered items once the rule is removed, since the store kept them', async () => {
    const dir = await createOutputDir()
    const items = [...createItems(), createItem('NW9', { title: '【广告】理财' })]
    const filtered = createConfig(dir, { categories: { meirijingjixinwen: { title: '每日经济新闻', filters: { exclude: { title: ['广告'] } } } } })
    await publishItems({ items, config: filtered, changedCategories: 'all' })
    await publishItems({ items, config: createConfig(dir), changedCategories: 'all' })
    expect(jsonItemIds(await readOutput(dir, 'meirijingjixinwen/feed.json'))).toContain('urn:feedloom:NW9')
  })

  it('does not write outside output.dir for a category that is not a path segment', async () => {
    const dir = await createOutputDir()
    const result = await publishItems({
      items: [createItem('NW1', { category: '../escape' })],
      config: createConfig(dir),
      changedCategories: 'all',
    })
    expect(result.failed.map((failure) => failure.file)).toEqual(['../escape/rss.xml', '../escape/atom.xml', '../escape/feed.json'])
    await expect(access(path.join(dir, '../escape'))).rejects.toThrow()
  })
})
