import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { createConfig, createItem, createItems, createOutputDir, fileIdentities, publishItems, readOutput } from './publish-fixtures.js'

function createOpmlConfig(outputDir: string, output: object = {}) {
  return createConfig(outputDir, { output: { opml: true, ...output } })
}

async function publishOpml(items = createItems(), output: object = {}): Promise<string> {
  const dir = await createOutputDir()
  await publishItems({ items, config: createOpmlConfig(dir, output), changedCategories: 'all' })
  return readOutput(dir, 'feeds.opml')
}

describe('feeds.opml', () => {
  it('lists every published feed as OPML 2.0, the all-categories feed first', async () => {
    expect(await publishOpml()).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>金融消息</title>
    <dateModified>Tue, 11 Jan 2022 07:20:00 GMT</dateModified>
  </head>
  <body>
    <outline type="rss" text="金融消息" title="金融消息" xmlUrl="https://news.example.com/feeds/rss.xml" htmlUrl="https://news.example.com/feeds/"/>
    <outline type="rss" text="每日经济新闻 - 金融消息" title="每日经济新闻 - 金融消息" xmlUrl="https://news.example.com/feeds/meirijingjixinwen/rss.xml" htmlUrl="https://news.example.com/feeds/meirijingjixinwen/"/>
    <outline type="rss" text="证券时报 - 金融消息" title="证券时报 - 金融消息" xmlUrl="https://news.example.com/feeds/zhengquanshibao/rss.xml" htmlUrl="https://news.example.com/feeds/zhengquanshibao/"/>
  </body>
</opml>
`)
  })

  it('points at the Atom file when RSS is not published', async () => {
    expect(await publishOpml(createItems(), { formats: ['json', 'atom'] })).toContain('xmlUrl="https://news.example.com/feeds/atom.xml"')
  })

  it('leaves dateModified out when there are no items', async () => {
    expect(await publishOpml([])).not.toContain('dateModified')
  })

  it('escapes titles so the list stays well-formed', async () => {
    const dir = await createOutputDir()
    const config = createConfig(dir, { output: { opml: true }, categories: { meirijingjixinwen: { title: 'A&B <新闻> "引号"' } } })
    await publishItems({ items: createItems(), config, changedCategories: 'all' })
    const opml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readOutput(dir, 'feeds.opml'))
    expect(opml.opml.body.outline[1].text).toBe('A&B <新闻> "引号" - 金融消息')
  })

  it('is regenerated whenever any category changes, and left alone when none does', async () => {
    const dir = await createOutputDir()
    await publishItems({ items: createItems(), config: createOpmlConfig(dir), changedCategories: 'all' })
    const before = await fileIdentities(dir, ['feeds.opml'])
    const unchanged = await publishItems({ items: createItems(), config: createOpmlConfig(dir), changedCategories: new Set() })
    expect(unchanged.written).toEqual([])
    const items = [...createItems(), createItem('NW9', { category: 'xinhuashe', categoryTitle: '新华社' })]
    const changed = await publishItems({ items, config: createOpmlConfig(dir), changedCategories: new Set(['xinhuashe']) })
    expect(changed.written).toContain('feeds.opml')
    expect(await fileIdentities(dir, ['feeds.opml'])).not.toEqual(before)
    expect(await readOutput(dir, 'feeds.opml')).toContain('text="新华社 - 金融消息"')
  })
})
