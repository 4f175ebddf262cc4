import { describe, expect, it } from 'vitest'
import { atomSchemaErrors, hasJudges, judgeFeeds, judgesMissing } from '../helpers/judge-feeds.js'
import { createConfig, createItem, createItems, createOutputDir, publishItems, readOutput } from './publish-fixtures.js'
import path from 'node:path'

async function publish(items = createItems(), overrides: Parameters<typeof createConfig>[1] = {}) {
  const dir = await createOutputDir()
  const result = await publishItems({ items, config: createConfig(dir, overrides), changedCategories: 'all' })
  return { dir, result }
}

describe('Atom: RFC 4287 §4.1.1 feed author', () => {
  it('names the site title as the feed author when an entry has no author', async () => {
    const { dir } = await publish()
    expect(await readOutput(dir, 'meirijingjixinwen/atom.xml')).toContain('    <generator>feedloom</generator>\n    <author>\n        <name>金融消息</name>\n    </author>\n')
  })

  it('leaves the feed author out when every entry has one', async () => {
    const { dir } = await publish(createItems().map((item) => ({ ...item, author: '张三' })))
    expect(await readOutput(dir, 'atom.xml')).not.toContain('<name>金融消息</name>')
  })
})

describe('RSS: authors', () => {
  it('writes a plain name as dc:creator, never as <author>', async () => {
    const { dir } = await publish()
    const rss = await readOutput(dir, 'meirijingjixinwen/rss.xml')
    expect(rss).toContain('<dc:creator>张三</dc:creator>')
    expect(rss).not.toContain('<author>')
  })

  it('writes an e-mail address as <author>', async () => {
    const { dir } = await publish([createItem('NW1', { author: 'zhang@example.com (张三)' })])
    expect(await readOutput(dir, 'rss.xml')).toContain('<author>zhang@example.com (张三)</author>')
  })

  it('declares the dc prefix on dc:creator when no item has content:encoded', async () => {
    const { dir } = await publish([createItem('NW1', { author: '张三', content: undefined })])
    expect(await readOutput(dir, 'rss.xml')).toContain('<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">张三</dc:creator>')
  })
})

describe('items without a link', () => {
  const linkless = () => [createItem('NW1', { link: undefined, content: undefined, summary: '只有摘要' })]

  it('gives the RSS item a guid that is no permalink and no <link>', async () => {
    const { dir } = await publish(linkless())
    const rss = await readOutput(dir, 'rss.xml')
    expect(rss).toContain('<guid isPermaLink="false">urn:feedloom:NW1</guid>')
    expect(rss).not.toMatch(/<item>[\s\S]*<link>/)
  })

  it('gives the Atom entry its text as content instead of a link', async () => {
    const { dir } = await publish(linkless())
    const atom = await readOutput(dir, 'atom.xml')
    expect(atom).toContain('<content type="html"><![CDATA[只有摘要]]></content>')
    expect(atom).not.toContain('<link/>')
  })

  it('gives the JSON Feed item no url', async () => {
    const { dir } = await publish(linkless())
    const json = JSON.parse(await readOutput(dir, 'feed.json')) as { items: Record<string, unknown>[] }
    expect(json.items[0]).not.toHaveProperty('url')
  })
})

describe('enclosures', () => {
  const podcast = () => [
    createItem('NW1', {
      enclosures: [
        { url: 'http://10.0.0.7/private/ep.mp3', type: 'audio/mpeg', length: 5550000 },
        { url: 'https://pod.example.com/cover.png', type: 'image/png' },
      ],
    }),
  ]

  it('republishes every enclosure as an Atom enclosure link, private addresses as given', async () => {
    const { dir } = await publish(podcast())
    const atom = await readOutput(dir, 'atom.xml')
    expect(atom).toContain('<link rel="enclosure" href="http://10.0.0.7/private/ep.mp3" type="audio/mpeg" length="5550000"/>')
    expect(atom).toContain('<link rel="enclosure" href="https://pod.example.com/cover.png" type="image/png"/>')
  })

  it('republishes the first as the RSS enclosure', async () => {
    const { dir } = await publish(podcast())
    expect(await readOutput(dir, 'rss.xml')).toContain('<enclosure length="5550000" type="audio/mpeg" url="http://10.0.0.7/private/ep.mp3"/>')
  })

  it('republishes them as JSON Feed attachments, with the image as the item image', async () => {
    const { dir } = await publish(podcast())
    const [item] = (JSON.parse(await readOutput(dir, 'feed.json')) as { items: Record<string, unknown>[] }).items
    expect([item?.image, item?.attachments]).toEqual([
      'https://pod.example.com/cover.png',
      [
        { url: 'http://10.0.0.7/private/ep.mp3', mime_type: 'audio/mpeg', size_in_bytes: 5550000 },
        { url: 'https://pod.example.com/cover.png', mime_type: 'image/png' },
      ],
    ])
  })
})

describe('categories', () => {
  it('writes rss.xml, atom.xml and feed.json, empty, for a configured category without items', async () => {
    const { dir, result } = await publish(createItems(), { categories: { meirijingjixinwen: { title: '每日经济新闻' }, kong: { title: '空' } } })
    expect(result.written.filter((file) => file.startsWith('kong/'))).toEqual(['kong/rss.xml', 'kong/atom.xml', 'kong/feed.json'])
    expect((JSON.parse(await readOutput(dir, 'kong/feed.json')) as { items: unknown[] }).items).toEqual([])
  })

  it('puts an item in the category of every configured source that carries it, and once in the all-categories feed', async () => {
    const shared = createItem('NW9', { sources: ['em-list', 'stcn'] })
    const { dir } = await publish([shared], {
      sources: [
        { id: 'em-list', type: 'feed', url: 'https://a.example/rss', category: 'meirijingjixinwen' },
        { id: 'stcn', type: 'feed', url: 'https://b.example/rss', category: 'zhengquanshibao' },
      ],
    })
    const ids = async (file: string) => (JSON.parse(await readOutput(dir, file)) as { items: { id: string }[] }).items.map((item) => item.id)
    expect([await ids('meirijingjixinwen/feed.json'), await ids('zhengquanshibao/feed.json'), await ids('feed.json')]).toEqual([
      ['urn:feedloom:NW9'],
      ['urn:feedloom:NW9'],
      ['urn:feedloom:NW9'],
    ])
  })
})

describe.skipIf(!hasJudges)(`the rules above, judged${hasJudges ? '' : ` (${judgesMissing})`}`, () => {
  it('passes feedparser, and jing with RFC 4287’s schema, with link-less items, enclosures and an empty category', async () => {
    const items = [
      ...createItems(),
      createItem('NW1', { link: undefined, content: undefined, summary: '只有摘要' }),
      createItem('NW2', { enclosures: [{ url: 'http://10.0.0.7/ep.mp3', type: 'audio/mpeg', length: 5 }, { url: 'https://pod.example.com/c.png' }] }),
    ]
    const { dir } = await publish(items, { categories: { meirijingjixinwen: { title: '每日经济新闻' }, kong: { title: '空' } } })
    const files = ['', 'meirijingjixinwen', 'zhengquanshibao', 'kong'].flatMap((folder) => ['rss.xml', 'atom.xml'].map((file) => path.join(dir, folder, file)))
    expect(judgeFeeds(files).filter((feed) => feed.bozo !== 0)).toEqual([])
    expect(atomSchemaErrors(files.filter((file) => file.endsWith('atom.xml')))).toBe('')
  })
})
