import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  isDropped,
  normalizeEntry,
  type NormalizeContext,
} from '../../src/normalize/normalize-entry.js'
import { parseFeed } from '../../src/sources/feed/parse-feed.js'
import type { DroppedEntry, NormalizedEntry, RawEntry } from '../../src/types.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')

function context(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    sourceId: 'nbd',
    feedUrl: 'https://feeds.example.com/nbd/rss.xml',
    timezone: 'Asia/Shanghai',
    now: NOW,
    ...overrides,
  }
}

function raw(overrides: Partial<RawEntry> = {}): RawEntry {
  return {
    title: '央行开展1000亿元逆回购操作',
    link: 'https://finance.example.com/a/202201112243512345.html',
    ...overrides,
  }
}

function normalized(entry: RawEntry, ctx: NormalizeContext = context()): NormalizedEntry {
  const result = normalizeEntry(entry, ctx)
  if (isDropped(result)) throw new Error(`unexpectedly dropped: ${result.reason}`)
  return result
}

function dropped(entry: RawEntry, ctx: NormalizeContext = context()): DroppedEntry {
  const result = normalizeEntry(entry, ctx)
  if (!isDropped(result)) throw new Error(`unexpectedly kept: ${result.key}`)
  return result
}

async function normalizeFixture(name: string, url: string, ctx: Partial<NormalizeContext> = {}) {
  const feed = await parseFeed(await readFile(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8'), { url })
  return feed.entries.map((entry) =>
    normalizeEntry(
      entry,
      context({ feedUrl: url, feedLink: feed.link, feedBaseUrl: feed.baseUrl, feedTitle: feed.title, ...ctx }),
    ),
  )
}

async function normalizeFixtureKept(name: string, url: string): Promise<NormalizedEntry[]> {
  const results = await normalizeFixture(name, url)
  return results.map((result) => {
    if (isDropped(result)) throw new Error(`unexpectedly dropped: ${result.reason}`)
    return result
  })
}

describe('normalizeEntry: links', () => {
  it('resolves a relative link against the entry xml:base first', () => {
    const entry = normalized(
      raw({ link: 'a.html', baseUrl: 'https://m.finance.example.com/wap/' }),
      context({ feedBaseUrl: 'https://finance.example.com/news/', feedLink: 'https://finance.example.com/' }),
    )
    expect(entry.link).toBe('https://m.finance.example.com/wap/a.html')
  })

  it('then against the feed xml:base', () => {
    const entry = normalized(
      raw({ link: 'a.html' }),
      context({ feedBaseUrl: 'https://finance.example.com/news/', feedLink: 'https://finance.example.com/' }),
    )
    expect(entry.link).toBe('https://finance.example.com/news/a.html')
  })

  it('then against the feed link', () => {
    const entry = normalized(raw({ link: 'a.html' }), context({ feedLink: 'https://finance.example.com/kuaixun/' }))
    expect(entry.link).toBe('https://finance.example.com/kuaixun/a.html')
  })

  it('then against the feed URL', () => {
    expect(normalized(raw({ link: '/a/1.html' })).link).toBe('https://feeds.example.com/a/1.html')
  })

  it('resolves a relative feed link against the feed URL before using it as a base', () => {
    const entry = normalized(raw({ link: 'a.html' }), context({ feedLink: '/site/' }))
    expect(entry.link).toBe('https://feeds.example.com/site/a.html')
  })

  it('keeps an entry whose link is javascript:, without a link', () => {
    const entry = normalized(raw({ link: 'javascript:void(0)', guid: undefined }))
    expect([entry.link, entry.key]).toEqual([undefined, expect.stringMatching(/^hash:[0-9a-f]{64}$/)])
  })

  it('keeps a tag: or urn: link as the entry\'s id, never as its link', () => {
    const tag = normalized(raw({ link: 'tag:example.com,2022:status/1', guid: undefined }))
    const urn = normalized(raw({ link: 'urn:uuid:0b6f2d1e-3a4c-4d5e-8f90-a1b2c3d4e5f6', guid: undefined }))
    expect([tag.link, tag.key, urn.link, urn.key]).toEqual([
      undefined,
      'guid:tag:example.com,2022:status/1',
      undefined,
      'guid:urn:uuid:0b6f2d1e-3a4c-4d5e-8f90-a1b2c3d4e5f6',
    ])
  })

  it('uses an http(s) guid as the link when there is no link', () => {
    const entry = normalized(raw({ link: undefined, guid: 'https://finance.example.com/a/9.html' }))
    expect(entry.link).toBe('https://finance.example.com/a/9.html')
  })

  it('uses the share link as the link when there is neither a link nor a URL guid', () => {
    const entry = normalized(
      raw({ link: undefined, guid: '9', shareLink: 'https://finance.example.com/a/NewsShare.html?infoCode=NW9' }),
    )
    expect(entry.link).toBe('https://finance.example.com/a/NewsShare.html?infoCode=NW9')
  })

  it('keeps an entry with no link, no URL guid and no share link, keyed by its guid within its source', () => {
    const entry = normalized(raw({ link: undefined, guid: '10086' }))
    expect([entry.link, entry.key]).toEqual([undefined, 'guid:nbd:10086'])
  })

  it('keys an entry with neither a link nor a guid by a hash of its source, title, date and body', () => {
    const first = normalized(raw({ link: undefined, guid: undefined, content: '<p>a</p>' }))
    const again = normalized(raw({ link: undefined, guid: undefined, content: '<p>a</p>' }))
    const otherBody = normalized(raw({ link: undefined, guid: undefined, content: '<p>b</p>' }))
    const otherSource = normalized(raw({ link: undefined, guid: undefined, content: '<p>a</p>' }), context({ sourceId: 'other' }))
    expect(first.key).toMatch(/^hash:[0-9a-f]{64}$/)
    expect(again.key).toBe(first.key)
    expect(new Set([first.key, otherBody.key, otherSource.key]).size).toBe(3)
  })

  it('drops only an entry with neither a title nor any text, saying so', () => {
    expect(dropped(raw({ link: undefined, guid: undefined, title: undefined, summary: undefined, content: undefined })).reason).toBe(
      'no title or text: entry has neither a title, a summary nor content',
    )
  })

  it('keeps the link as the source wrote it, tracking parameters included', () => {
    const link = 'https://finance.example.com/a/1.html?utm_source=rss#top'
    expect(normalized(raw({ link })).link).toBe(link)
  })

  it('makes the share link absolute', () => {
    const entry = normalized(
      raw({ shareLink: '/a/NewsShare.html?infoCode=NW1' }),
      context({ feedLink: 'https://finance.example.com/' }),
    )
    expect(entry.shareLink).toBe('https://finance.example.com/a/NewsShare.html?infoCode=NW1')
  })
})

describe('normalizeEntry: identity', () => {
  const code = 'NW202201112243496752'

  it('keys by an infoCode query parameter of the link, whatever its case', () => {
    const entry = normalized(raw({ link: `https://finance.example.com/a/NewsShare.html?INFOCODE=${code}` }))
    expect(entry.key).toBe(`infocode:${code}`)
    expect(entry.infoCode).toBe(code)
  })

  it('gives one key for the same infoCode via link, guid, share link or field', () => {
    const share = `https://finance.example.com/a/NewsShare.html?infoCode=${code}`
    const keys = [
      normalized(raw({ link: share })),
      normalized(raw({ guid: share })),
      normalized(raw({ shareLink: share })),
      normalized(raw({ infoCode: code })),
    ].map((entry) => entry.key)
    expect(new Set(keys)).toEqual(new Set([`infocode:${code}`]))
  })

  it('keys by the canonical link without utm_* parameters or fragment', () => {
    const entry = normalized(raw({ link: 'https://Finance.Example.com/a/1.html?utm_source=rss&id=7#comments' }))
    expect(entry.key).toBe('link:https://finance.example.com/a/1.html?id=7')
  })

  it('scopes a bare guid alias to the source so two sources do not share it', () => {
    const fromNbd = normalized(raw({ guid: '123' }), context({ sourceId: 'nbd' }))
    const fromHexun = normalized(raw({ guid: '123' }), context({ sourceId: 'hexun' }))
    expect(fromNbd.aliases).toContain('guid:nbd:123')
    expect(fromHexun.aliases).toContain('guid:hexun:123')
  })

  it('lists link, guid and share link identities as aliases', () => {
    const entry = normalized(
      raw({ infoCode: code, guid: 'urn:nbd:1', shareLink: `https://m.finance.example.com/share?infoCode=${code}` }),
    )
    expect(entry.aliases).toEqual([
      'link:https://finance.example.com/a/202201112243512345.html',
      'guid:urn:nbd:1',
      `link:https://m.finance.example.com/share?infoCode=${code}`,
    ])
  })
})

describe('normalizeEntry: dates', () => {
  it('reads a date without an offset in the source timezone', () => {
    expect(normalized(raw({ published: '2022-01-11 13:35:18' })).published).toBe('2022-01-11T05:35:18.000Z')
  })

  it('omits an unparseable published date', () => {
    expect(normalized(raw({ published: 'not a date' }))).not.toHaveProperty('published')
  })

  it('omits a published date more than a day in the future', () => {
    expect(normalized(raw({ published: '2022-01-13T00:00:01Z' }))).not.toHaveProperty('published')
  })

  it('honours a custom future tolerance', () => {
    const entry = normalized(raw({ published: '2022-01-12T00:10:00Z' }), context({ futureToleranceMs: 60_000 }))
    expect(entry).not.toHaveProperty('published')
  })

  it('treats updated the same way', () => {
    expect(normalized(raw({ updated: '2022-01-11 14:00:00' })).updated).toBe('2022-01-11T06:00:00.000Z')
    expect(normalized(raw({ updated: '2099-01-01 00:00:00' }))).not.toHaveProperty('updated')
  })
})

describe('normalizeEntry: text and HTML', () => {
  it('turns the title into plain text', () => {
    const entry = normalized(raw({ title: '  银保监会：<b>严禁</b>违规参与 P2P &amp; 网贷\n ' }))
    expect(entry.title).toBe('银保监会：严禁违规参与 P2P & 网贷')
  })

  it('names an untitled entry after the first 80 characters of its summary', () => {
    const summary = '央行公告称，为维护银行体系流动性合理充裕，'.repeat(5)
    const entry = normalized(raw({ title: ' ', summary: `<p>${summary}</p>` }))
    expect(entry.title).toBe(`${Array.from(summary).slice(0, 80).join('')}…`)
  })

  it('names an untitled entry after a short summary in full', () => {
    expect(normalized(raw({ title: undefined, summary: '沪指跌0.73%' })).title).toBe('沪指跌0.73%')
  })

  it('drops an entry with no title and no text', () => {
    expect(dropped(raw({ title: undefined })).reason).toBe(
      'no title or text: https://finance.example.com/a/202201112243512345.html',
    )
  })

  it('sanitizes content and summary and makes their URLs absolute against the entry base', () => {
    const entry = normalized(
      raw({
        content: '<p onclick="x()">正文<img src="img/a.png"></p><script>x()</script>',
        summary: '<a href="javascript:x()">摘要</a><a href="b.html">详情</a>',
        baseUrl: 'https://finance.example.com/news/',
      }),
    )
    expect(entry.content).toBe('<p>正文<img src="https://finance.example.com/news/img/a.png" /></p>')
    expect(entry.summary).toBe('<a>摘要</a><a href="https://finance.example.com/news/b.html">详情</a>')
  })

  it('leaves summary absent when the entry has only content', () => {
    expect(normalized(raw({ content: '<p>正文</p>' }))).not.toHaveProperty('summary')
  })

  it('strips control characters and lone surrogates from every text field', () => {
    const entry = normalized(
      raw({ title: '标\u0000题\uD800', author: ' 张\u0007晓 ', categories: ['金\u001B融'], media: '每日\u0008经济新闻' }),
    )
    expect([entry.title, entry.author, entry.categories, entry.media]).toEqual(['标题', '张晓', ['金融'], '每日经济新闻'])
  })

  it('trims, dedupes and drops empty categories', () => {
    expect(normalized(raw({ categories: [' 金融 ', '金融', '', '征信'] })).categories).toEqual(['金融', '征信'])
  })
})

describe('normalizeEntry: category', () => {
  it('uses the configured category when the source has one', () => {
    const entry = normalized(raw({ media: '每日经济新闻' }), context({ category: 'yaowen' }))
    expect(entry.category).toBe('yaowen')
    expect(entry).not.toHaveProperty('categoryTitle')
    expect(entry.media).toBe('每日经济新闻')
  })

  it('derives the category from the media name, titled with that name', () => {
    const entry = normalized(raw({ media: '每日经济新闻' }))
    expect([entry.category, entry.categoryTitle, entry.media]).toEqual(['meirijingjixinwen', '每日经济新闻', '每日经济新闻'])
  })

  it('uses the feed title as media name when the entry has none', () => {
    const entry = normalized(raw(), context({ feedTitle: '证券时报' }))
    expect([entry.category, entry.categoryTitle, entry.media]).toEqual(['zhengquanshibao', '证券时报', '证券时报'])
  })

  it('falls back to the source id when no slug can be made', () => {
    const entry = normalized(raw({ media: '——' }))
    expect(entry.category).toBe('nbd')
    expect(entry).not.toHaveProperty('categoryTitle')
  })
})

describe('normalizeEntry: through parseFeed', () => {
  it('resolves Atom links and content against the xml:base in scope', async () => {
    const [first, , third] = await normalizeFixtureKept('atom.xml', 'https://feeds.example.com/yicai/atom.xml')
    expect(first?.link).toBe('https://finance.example.com/news/2022/01/11/cbirc-p2p.html')
    expect(first?.content).toContain('src="https://finance.example.com/news/images/cbirc.jpg"')
    expect(first?.content).toContain('href="https://finance.example.com/docs/notice.pdf"')
    expect(third?.link).toBe('https://m.finance.example.com/wap/insurance/20220111.html')
  })

  it('resolves nested relative xml:base down to the entry link', async () => {
    const [entry] = await normalizeFixtureKept('atom-xmlbase-nested.xml', 'https://sina.example.com/rss/markets.xml')
    expect(entry?.link).toBe('https://sina.example.com/markets/funds/20220111/scale.html')
    expect(entry?.content).toContain('src="https://sina.example.com/markets/funds/img/chart.png"')
  })

  it('resolves RSS relative links against the channel link and keeps the javascript: one without a link', async () => {
    const results = await normalizeFixture('relative-links.xml', 'https://feeds.example.com/eastmoney.xml')
    expect(results.map((result) => (isDropped(result) ? result.reason : [result.title, result.link]))).toEqual([
      [expect.any(String), 'https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243540003'],
      [expect.any(String), 'https://finance.example.com/kuaixun/20220111/noon.html'],
      ['点击查看更多', undefined],
    ])
  })

  it('gives duplicate items one key', async () => {
    const entries = await normalizeFixtureKept('duplicate-guids.xml', 'https://feeds.example.com/hexun.xml')
    const keys = entries.map((entry) => entry.key)
    expect(keys).toEqual([
      'link:https://hexun.example.com/bank/2022-01-11/205012345.html',
      'link:https://hexun.example.com/bank/2022-01-11/205012345.html',
      'link:https://hexun.example.com/bank/2022-01-11/205012399.html',
    ])
  })

  it('omits bad and far-future dates and reads the rest', async () => {
    const entries = await normalizeFixtureKept('bad-date.xml', 'https://feeds.example.com/cs.xml')
    const published = entries.map((entry) => entry.published)
    expect(published).toEqual([undefined, undefined, undefined, '2022-01-11T05:35:18.000Z'])
  })

  it('turns an RSS 2.0 item into the entry a reader sees', async () => {
    const [entry] = await normalizeFixtureKept('rss2.xml', 'https://finance.example.com/rss/nbd.xml')
    expect(entry).toEqual({
      key: 'infocode:NW202201112243496752',
      aliases: [
        'link:https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243496752',
        'guid:nbd:NW202201112243496752',
      ],
      sourceId: 'nbd',
      title: '深圳金融基础设施建设又添重要生力军：深圳征信服务有限公司通过备案正式运行',
      link: 'https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243496752',
      content:
        '<p>1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。</p>\n' +
        '<p>深圳人民银行表示，深圳征信服务有限公司的正式运行标志着深圳已形成央行征信、地方征信、互联网征信等为一体的多元化征信服务体系。</p>\n' +
        '<p class="em_media">（文章来源：每日经济新闻）</p>',
      summary: '1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。',
      // sha256 in base64url: the store keeps it beside the content, so an unchanged body is not sanitized again.
      contentHash: expect.stringMatching(/^[\w-]{43}$/),
      author: '张晓',
      published: '2022-01-11T05:35:18.000Z',
      category: 'meirijingjixinwen',
      categoryTitle: '每日经济新闻',
      categories: ['金融', '征信'],
      infoCode: 'NW202201112243496752',
      media: '每日经济新闻',
    })
  })
})
