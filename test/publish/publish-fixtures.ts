import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { configSchema, type Config } from '../../src/config/config-schema.js'
import { createItemFilter } from '../../src/publish/filter-items.js'
import { publishOutputs, type PublishOptions, type PublishResult } from '../../src/publish/publish-outputs.js'
import { openStore } from '../../src/store/open-store.js'
import type { StoredItem } from '../../src/types.js'

export const ALL_FILES = [
  'rss.xml',
  'atom.xml',
  'feed.json',
  'meirijingjixinwen/rss.xml',
  'meirijingjixinwen/atom.xml',
  'meirijingjixinwen/feed.json',
  'zhengquanshibao/rss.xml',
  'zhengquanshibao/atom.xml',
  'zhengquanshibao/feed.json',
]

const CATEGORY_TITLES: Record<string, string> = { meirijingjixinwen: '每日经济新闻', zhengquanshibao: '证券时报' }

/** A stored item as the store would hand it over; `infoCode` makes the id, key and link. */
export function createItem(infoCode: string, overrides: Partial<StoredItem> = {}): StoredItem {
  const category = overrides.category ?? 'meirijingjixinwen'
  return {
    id: `urn:feedloom:${infoCode}`,
    key: `infocode:${infoCode}`,
    // The store lists every identity of an item, its key included.
    aliases: [`infocode:${infoCode}`],
    sources: ['em-list'],
    title: `央行开展公开市场操作 ${infoCode}`,
    link: `https://finance.example.com/a/${infoCode}.html`,
    content: `<p>央行今日开展逆回购操作。${infoCode}</p>`,
    summary: '央行今日开展逆回购操作',
    published: '2022-01-11T05:35:18.000Z',
    firstSeen: '2022-01-11T05:40:00.000Z',
    category,
    categoryTitle: CATEGORY_TITLES[category],
    categories: [`${CATEGORY_TITLES[category] ?? category}新闻`],
    infoCode,
    ...overrides,
  }
}

/** Two items in each of the two categories. */
export function createItems(): StoredItem[] {
  return [
    createItem('NW202201112243496752', { published: '2022-01-11T05:35:18.000Z' }),
    createItem('NW202201112243496753', { published: '2022-01-11T06:10:00.000Z', author: '张三' }),
    createItem('NW202201112243496801', { category: 'zhengquanshibao', published: '2022-01-11T04:00:00.000Z' }),
    createItem('NW202201112243496802', { category: 'zhengquanshibao', published: '2022-01-11T07:20:00.000Z' }),
  ]
}

/**
 * A parsed config writing to `outputDir`. HTML and OPML are off unless `output` turns them on, so
 * the feed tests see only feed files; the tests of pages and OPML turn them on.
 */
export function createConfig(
  outputDir: string,
  overrides: { siteUrl?: string; output?: object; categories?: object; sources?: object[] } = {},
): Config {
  return configSchema.parse({
    site: { title: '金融消息', url: overrides.siteUrl ?? 'https://news.example.com/feeds', language: 'zh-CN', timezone: 'Asia/Shanghai' },
    output: { dir: outputDir, html: false, opml: false, ...overrides.output },
    categories: overrides.categories ?? { meirijingjixinwen: { title: '每日经济新闻' } },
    sources: overrides.sources ?? [],
  })
}

export function createOutputDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'feedloom-publish-'))
}

export function readOutput(outputDir: string, file: string): Promise<string> {
  return readFile(path.join(outputDir, file), 'utf8')
}

export async function readOutputs(outputDir: string, files: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(files.map(async (file) => [file, await readOutput(outputDir, file)])))
}

/** Inode and mtime: a rename-over gives a new inode even when the clock has not ticked. */
export async function fileIdentities(outputDir: string, files: string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    files.map(async (file) => {
      const stats = await stat(path.join(outputDir, file), { bigint: true })
      return [file, `${stats.ino}@${stats.mtimeNs}`]
    }),
  )
  return Object.fromEntries(entries)
}

/** Copies of the shared seed article and the post the replaced system published for it. */
const SEED_ARTICLE_DIR = path.resolve(import.meta.dirname, '../fixtures/seed-article')
export const SEED_POST_PATH = path.join(SEED_ARTICLE_DIR, 'post.md')

/** The stored item the seed's list and detail answers give (what the json source and normalize make of them). */
export async function createSeedItem(): Promise<StoredItem> {
  const list = JSON.parse(await readFile(path.join(SEED_ARTICLE_DIR, 'list.json'), 'utf8')) as {
    record: { infoCode: string; title: string; medianame: string; digest: string }[]
  }
  const detail = JSON.parse(await readFile(path.join(SEED_ARTICLE_DIR, 'detail.json'), 'utf8')) as { text: string }
  const record = list.record[0]
  if (!record) throw new Error('seed list.json has no record')
  const shareLink = `http://finews.zning.xyz/html_News/NewsShare.html?infoCode=${record.infoCode}`
  return createItem(record.infoCode, {
    title: record.title,
    link: shareLink,
    shareLink,
    content: detail.text,
    summary: record.digest,
    published: '2022-01-11T05:35:18.000Z',
    category: 'meirijingjixinwen',
    categoryTitle: record.medianame,
    categories: [],
    media: record.medianame,
  })
}

/**
 * publishOutputs over a store holding exactly `items`, opened with the config's filters as a cycle
 * opens it. Nothing is committed, so the store never touches the disk.
 */
export async function publishItems(options: Omit<PublishOptions, 'items'> & { items: readonly StoredItem[] }): Promise<PublishResult> {
  const store = await openStore({ path: path.join(tmpdir(), 'feedloom-publish-never-written', 'db.json'), lock: false, filter: createItemFilter(options.config) })
  try {
    await store.importRecords(options.items.map((item) => ({ kind: 'item', item })))
    return await publishOutputs({ ...options, items: store })
  } finally {
    await store.close()
  }
}
