import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import type { Config } from '../../src/config/config-schema.js'
import type { StoredItem } from '../../src/types.js'
import { listFiles } from '../helpers/file-tree.js'
import {
  SEED_POST_PATH,
  createConfig,
  createItem,
  createOutputDir,
  createSeedItem,
  fileIdentities,
  publishItems,
  readOutput,
} from './publish-fixtures.js'

const SEED_POST = '_posts/2022-01-11-NW202201112243496752.md'

/** Within the seed's three-day window of its article (2022-01-11 13:35 in Shanghai). */
const SEED_NOW = new Date('2022-01-13T00:00:00.000Z')

function createJekyllConfig(outputDir: string, overrides: { categories?: object; sources?: object[] } = {}): Config {
  return createConfig(outputDir, {
    output: {
      formats: ['json'],
      jekyll: { dir: '_posts', siteUrl: '//finews.withounder.com', categoryPage: '/category/{category}.html', liveDays: 3 },
    },
    ...overrides,
  })
}

/** The store's record of the posts written, per output folder, as a cycle would keep it. */
const records = new Map<string, string[] | undefined>()

async function publishPosts(outputDir: string, items: StoredItem[], now = SEED_NOW, config = createJekyllConfig(outputDir)) {
  const result = await publishItems({ items, config, changedCategories: 'all', now, jekyllPosts: records.get(outputDir) })
  records.set(outputDir, result.jekyllPosts)
  return result
}

/** What front matter holds for a text: HTML-escaped, as layouts print it unescaped. */
function escapedForHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

async function listPosts(outputDir: string): Promise<string[]> {
  return (await listFiles(outputDir)).filter((file) => file.startsWith('_posts/'))
}

/** The front matter block parsed as Jekyll's Psych would (YAML 1.1). */
function parseFrontMatter(post: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(post)
  if (!match) throw new Error(`no front matter in ${JSON.stringify(post.slice(0, 80))}`)
  return parseYaml(match[1] ?? '', { version: '1.1' }) as Record<string, unknown>
}

/** Jekyll's Utils.pluralized_array_from_hash: a string is split on whitespace, an array kept. */
function jekyllTags(frontMatter: Record<string, unknown>): unknown[] {
  const tags = frontMatter.tags
  return typeof tags === 'string' ? tags.split(/\s+/) : (tags as unknown[])
}

describe('Jekyll posts', () => {
  it('writes the seed article byte for byte as the system feedloom replaces published it', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [await createSeedItem()])
    expect(await readFile(path.join(dir, SEED_POST))).toEqual(await readFile(SEED_POST_PATH))
  })

  it('names the file and dates the post with the wall clock of the site time zone', async () => {
    const dir = await createOutputDir()
    // 2022-01-11T17:00Z is already the 12th in Shanghai.
    await publishPosts(dir, [createItem('NW1', { published: '2022-01-11T17:00:00.000Z' })])
    const post = await readOutput(dir, '_posts/2022-01-12-NW1.md')
    expect(post.split('\n')[3]).toBe('date: 2022-01-12 01:00:00 +0800')
  })

  it.each([
    ['double quotes', '央行 "降准" 落地'],
    ['a colon and a hash', '沪指: 重回3600点 #A股'],
    ['a leading hash', '#热点 沪指重回3600点'],
    ['leading YAML indicators', '- * & ! | > % @ ` [ { ? 开头'],
    ['backslashes', 'C:\\新闻\\n 不是换行 \\"'],
    ['newlines and a tab', '第一行\n第二行\r\n第三行\t末尾'],
    ['controls and Unicode line breaks', '控制\u0001字符\u007F与\u0085换行\u2028分隔\u2029段落'],
    ['front matter dashes', '---'],
    ['a YAML keyword', 'yes'],
    ['a number', '2022'],
    ['markup', '<img src=x onerror=alert(1)> & <script>'],
  ])('keeps front matter valid YAML and the title intact, HTML-escaped, for a title with %s', async (_, title) => {
    const dir = await createOutputDir()
    await publishPosts(dir, [createItem('NW1', { title, published: '2022-01-12T00:00:00.000Z' })])
    const frontMatter = parseFrontMatter(await readOutput(dir, '_posts/2022-01-12-NW1.md'))
    expect(frontMatter).toMatchObject({ layout: 'post', title: escapedForHtml(title), categories: 'meirijingjixinwen' })
  })

  it("tags a post with the outlet's name + 新闻 and the item's own categories, space-separated as Jekyll splits them", async () => {
    const dir = await createOutputDir()
    const item = { ...(await createSeedItem()), categories: ['央行', '每日经济新闻新闻', '征信'] }
    await publishPosts(dir, [item])
    const post = await readOutput(dir, SEED_POST)
    expect(post.split('\n')[5]).toBe('tags: 每日经济新闻新闻 央行 征信')
    expect(jekyllTags(parseFrontMatter(post))).toEqual(['每日经济新闻新闻', '央行', '征信'])
  })

  it('writes tags as a list of quoted strings when one holds a space or YAML syntax, so each stays one tag', async () => {
    const dir = await createOutputDir()
    const item = { ...(await createSeedItem()), categories: ['Central Bank', 'R&D: #1'] }
    await publishPosts(dir, [item])
    const post = await readOutput(dir, SEED_POST)
    expect(post.split('\n')[5]).toBe('tags: ["每日经济新闻新闻", "Central Bank", "R&amp;D: #1"]')
    expect(jekyllTags(parseFrontMatter(post))).toEqual(['每日经济新闻新闻', 'Central Bank', 'R&amp;D: #1'])
  })

  it('names the outlet after the category title when the item has no media', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [{ ...(await createSeedItem()), media: undefined, categoryTitle: undefined }])
    const post = await readOutput(dir, SEED_POST)
    expect(post).toContain('\ntags: 每日经济新闻新闻\n')
    expect(post).toMatch(/\[返回每日经济新闻新闻\]\(\/\/finews\.withounder\.com\/category\/meirijingjixinwen\.html\)｜\[返回首页\]\(\/\/finews\.withounder\.com\/\)$/)
  })

  it('links the item itself when it has no share link', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [createItem('NW1', { published: '2022-01-12T00:00:00.000Z' })])
    expect(await readOutput(dir, '_posts/2022-01-12-NW1.md')).toContain('\n\n<https://finance.example.com/a/NW1.html>\n\n')
  })

  it('uses the summary as the body of an item without content', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [createItem('NW1', { content: undefined, summary: '仅有摘要', published: '2022-01-12T00:00:00.000Z' })])
    expect(await readOutput(dir, '_posts/2022-01-12-NW1.md')).toContain('\n---\n仅有摘要\n\n<')
  })

  it('keeps Liquid from evaluating {{ and {% in an article, showing the same text', async () => {
    const dir = await createOutputDir()
    const content = '<p>模板 {{ site.title }} 与 {% include x %}</p>'
    await publishPosts(dir, [createItem('NW1', { content, published: '2022-01-12T00:00:00.000Z' })])
    const post = await readOutput(dir, '_posts/2022-01-12-NW1.md')
    expect(post).toContain('<p>模板 &#123;&#123; site.title &#125;&#125; 与 &#123;% include x %&#125;</p>')
    expect(post).not.toMatch(/\{\{|\{%/)
  })

  it('writes [, ], { and } of an article as character references, so kramdown makes no link, image or attribute of them', async () => {
    const dir = await createOutputDir()
    const content = '<p>a</p>[x](javascript:alert(1)) <span>![i](https://evil.example/i.png){: onerror="alert(1)"}</span>'
    await publishPosts(dir, [createItem('NW1', { content, published: '2022-01-12T00:00:00.000Z' })])
    expect(await readOutput(dir, '_posts/2022-01-12-NW1.md')).toContain(
      '\n<p>a</p>&#91;x&#93;(javascript:alert(1)) <span>!&#91;i&#93;(https://evil.example/i.png)&#123;: onerror="alert(1)"&#125;</span>\n\n',
    )
  })

  it("escapes the outlet's name in the link back to its category page", async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [createItem('NW1', { media: '<b>媒体</b>[m](javascript:1){: onclick="x"}*', published: '2022-01-12T00:00:00.000Z' })])
    expect(await readOutput(dir, '_posts/2022-01-12-NW1.md')).toContain(
      '\n[返回&lt;b&gt;媒体&lt;/b&gt;&#91;m&#93;(javascript:1)&#123;: onclick=&quot;x&quot;&#125;\\*新闻](//finews.withounder.com/category/meirijingjixinwen.html)',
    )
  })

  it('writes posts only for items with an infoCode published within liveDays of now', async () => {
    const dir = await createOutputDir()
    const items = [
      createItem('NW1', { published: '2022-01-10T01:00:00.000Z' }),
      createItem('NW2', { published: '2022-01-09T23:00:00.000Z' }),
      createItem('NW3', { published: '2022-01-12T00:00:00.000Z', infoCode: undefined }),
    ]
    await publishPosts(dir, items)
    expect(await listPosts(dir)).toEqual(['_posts/2022-01-10-NW1.md'])
  })

  it('removes posts that left the live window, keeping the items in the feeds', async () => {
    const dir = await createOutputDir()
    const items = [createItem('NW1', { published: '2022-01-10T01:00:00.000Z' }), createItem('NW2', { published: '2022-01-12T01:00:00.000Z' })]
    await publishPosts(dir, items)
    const result = await publishPosts(dir, items, new Date('2022-01-14T00:00:00.000Z'))
    expect(result.removed).toEqual(['_posts/2022-01-10-NW1.md'])
    expect(await listPosts(dir)).toEqual(['_posts/2022-01-12-NW2.md'])
    expect(await readOutput(dir, 'feed.json')).toContain('urn:feedloom:NW1')
  })

  it('removes the old post when an item moves to another day', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [createItem('NW1', { published: '2022-01-11T05:00:00.000Z' })])
    await publishPosts(dir, [createItem('NW1', { published: '2022-01-12T05:00:00.000Z' })])
    expect(await listPosts(dir)).toEqual(['_posts/2022-01-12-NW1.md'])
  })

  it('leaves other files in the posts folder alone', async () => {
    const dir = await createOutputDir()
    await mkdir(path.join(dir, '_posts'))
    await writeFile(path.join(dir, '_posts/README.txt'), 'mine')
    await writeFile(path.join(dir, '_posts/2021-12-31-draft.markdown'), 'mine')
    await publishPosts(dir, [])
    expect(await listPosts(dir)).toEqual(['_posts/2021-12-31-draft.markdown', '_posts/README.txt'])
  })

  it('rewrites no post whose bytes are unchanged', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [await createSeedItem()])
    const before = await fileIdentities(dir, [SEED_POST])
    const result = await publishPosts(dir, [await createSeedItem()])
    expect(result.written).not.toContain(SEED_POST)
    expect(await fileIdentities(dir, [SEED_POST])).toEqual(before)
  })

  it('writes a missing live post even when its category did not change', async () => {
    const dir = await createOutputDir()
    const config = createJekyllConfig(dir)
    const result = await publishItems({ items: [await createSeedItem()], config, changedCategories: new Set(), now: SEED_NOW })
    expect(result).toEqual({ written: [SEED_POST], unchanged: 0, failed: [], removed: [], leftAlone: [], jekyllPosts: [SEED_POST] })
  })

  it('removes the post of an item a filter now excludes', async () => {
    const dir = await createOutputDir()
    await publishPosts(dir, [await createSeedItem()])
    const config = createJekyllConfig(dir, { categories: { meirijingjixinwen: { title: '每日经济新闻', filters: { exclude: { title: ['征信'] } } } } })
    const result = await publishPosts(dir, [await createSeedItem()], SEED_NOW, config)
    expect(result.removed).toEqual([SEED_POST])
  })

  it('reports an infoCode that is not a safe file name instead of writing it', async () => {
    const dir = await createOutputDir()
    const result = await publishPosts(dir, [createItem('NW1', { infoCode: '../escape', published: '2022-01-12T00:00:00.000Z' })])
    expect(result.failed).toEqual([{ file: '_posts', reason: 'item urn:feedloom:NW1: infoCode "../escape" is not a safe file name' }])
    expect(await listFiles(dir)).toEqual(['feed.json', 'meirijingjixinwen/feed.json'])
  })
})
