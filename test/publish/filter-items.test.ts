import { describe, expect, it } from 'vitest'
import { filterItems } from '../../src/publish/filter-items.js'
import { createConfig, createItem } from './publish-fixtures.js'

type Filters = { include?: Record<string, string[]>; exclude?: Record<string, string[]>; caseSensitive?: boolean }

function sourceFilters(filters: Filters) {
  return createConfig('/unused', {
    sources: [{ id: 'em-list', type: 'feed', url: 'https://finance.example.com/rss.xml', filters }],
  })
}

function categoryFilters(filters: Filters) {
  return createConfig('/unused', { categories: { meirijingjixinwen: { title: '每日经济新闻', filters } } })
}

function publishedCodes(result: ReturnType<typeof filterItems>): (string | undefined)[] {
  return result.published.map((item) => item.infoCode)
}

describe('filterItems', () => {
  it('publishes every item when no filter is configured', () => {
    const items = [createItem('NW1'), createItem('NW2')]
    expect(filterItems(items, createConfig('/unused'))).toEqual({ published: items, filtered: [] })
  })

  it('drops an item whose title contains an exclude word, naming the rule', () => {
    const items = [createItem('NW1', { title: '【广告】理财产品' }), createItem('NW2')]
    const result = filterItems(items, sourceFilters({ exclude: { title: ['广告'] } }))
    expect(publishedCodes(result)).toEqual(['NW2'])
    expect(result.filtered).toEqual([{ item: items[0], rule: 'source em-list: exclude title "广告"' }])
  })

  it('keeps only items that match some include rule', () => {
    const items = [createItem('NW1', { title: '央行降准' }), createItem('NW2', { title: '沪指收涨' }), createItem('NW3', { author: '张三' })]
    const result = filterItems(items, sourceFilters({ include: { title: ['降准'], author: ['张三'] } }))
    expect(publishedCodes(result)).toEqual(['NW1', 'NW3'])
    expect(result.filtered.map((filtered) => filtered.rule)).toEqual(['source em-list: no include rule matched'])
  })

  it('lets an exclude rule win over an include rule', () => {
    const items = [createItem('NW1', { title: '央行降准 广告' })]
    const result = filterItems(items, sourceFilters({ include: { title: ['降准'] }, exclude: { title: ['广告'] } }))
    expect(result.filtered.map((filtered) => filtered.rule)).toEqual(['source em-list: exclude title "广告"'])
  })

  it('matches plain words case-insensitively by default', () => {
    const result = filterItems([createItem('NW1', { title: 'Fed raises RATES' })], sourceFilters({ exclude: { title: ['rates'] } }))
    expect(result.published).toEqual([])
  })

  it('matches case-sensitively when caseSensitive is set', () => {
    const result = filterItems(
      [createItem('NW1', { title: 'Fed raises RATES' })],
      sourceFilters({ exclude: { title: ['rates'] }, caseSensitive: true }),
    )
    expect(publishedCodes(result)).toEqual(['NW1'])
  })

  it('reads /…/flags as a regular expression', () => {
    const items = [createItem('NW1', { title: '沪指重回3600点' }), createItem('NW2', { title: '沪指重回三千点' })]
    const result = filterItems(items, sourceFilters({ exclude: { title: ['/\\d{4}点$/'] } }))
    expect(publishedCodes(result)).toEqual(['NW2'])
  })

  it('applies a regular expression the same way to every item, even with the g flag', () => {
    const items = [createItem('NW1', { title: 'Ad one' }), createItem('NW2', { title: 'ad two' })]
    const result = filterItems(items, sourceFilters({ exclude: { title: ['/^ad/g'] } }))
    expect(result.published).toEqual([])
  })

  it('matches content against the text of the article and its summary, not its markup', () => {
    const items = [
      createItem('NW1', { content: '<p class="promo">正文</p>', summary: '摘要' }),
      createItem('NW2', { content: '<p>正文</p>', summary: '推广摘要' }),
    ]
    const result = filterItems(items, sourceFilters({ exclude: { content: ['promo', '推广'] } }))
    expect(publishedCodes(result)).toEqual(['NW1'])
  })

  it('matches media and author only on items that have them', () => {
    const items = [createItem('NW1', { media: '证券时报' }), createItem('NW2')]
    const result = filterItems(items, sourceFilters({ exclude: { media: ['证券'], author: ['证券'] } }))
    expect(publishedCodes(result)).toEqual(['NW2'])
  })

  it("matches category against the slug, the category's title and the item's own categories", () => {
    const items = [
      createItem('NW1', { categories: [] }),
      createItem('NW2', { category: 'zhengquanshibao', categories: ['宏观'] }),
      createItem('NW3', { category: 'zhengquanshibao', categories: [] }),
    ]
    const config = sourceFilters({ include: { category: ['每日经济', '宏观', 'nothing'] } })
    expect(publishedCodes(filterItems(items, config))).toEqual(['NW1', 'NW2'])
  })

  it("applies a source's filters only to items whose first source is that source", () => {
    const items = [createItem('NW1', { title: '广告', sources: ['em-list'] }), createItem('NW2', { title: '广告', sources: ['nbd', 'em-list'] })]
    const result = filterItems(items, sourceFilters({ exclude: { title: ['广告'] } }))
    expect(publishedCodes(result)).toEqual(['NW2'])
  })

  it("applies a category's filters only to items of that category", () => {
    const items = [createItem('NW1', { title: '广告' }), createItem('NW2', { title: '广告', category: 'zhengquanshibao' })]
    const result = filterItems(items, categoryFilters({ exclude: { title: ['广告'] } }))
    expect(result.filtered).toEqual([{ item: items[0], rule: 'category meirijingjixinwen: exclude title "广告"' }])
  })

  it('publishes an item only when both its source and its category filters let it through', () => {
    const config = createConfig('/unused', {
      sources: [{ id: 'em-list', type: 'feed', url: 'https://finance.example.com/rss.xml', filters: { exclude: { title: ['广告'] } } }],
      categories: { meirijingjixinwen: { title: '每日经济新闻', filters: { exclude: { title: ['推广'] } } } },
    })
    const items = [createItem('NW1', { title: '广告' }), createItem('NW2', { title: '推广' }), createItem('NW3')]
    expect(publishedCodes(filterItems(items, config))).toEqual(['NW3'])
  })

  it('does not change the items it is given', () => {
    const items = [createItem('NW1', { title: '广告' })]
    const before = structuredClone(items)
    filterItems(items, sourceFilters({ exclude: { title: ['广告'] } }))
    expect(items).toEqual(before)
  })
})
