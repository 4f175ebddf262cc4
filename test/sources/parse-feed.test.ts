import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { ParseError } from '../../src/errors.js'
import { parseFeed } from '../../src/sources/feed/parse-feed.js'

function readFixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8')
}

async function parseFixture(name: string, url = `https://feeds.example.com/${name}`) {
  return parseFeed(await readFixture(name), { url })
}

async function parseError(text: string): Promise<ParseError> {
  const error: unknown = await parseFeed(text, { url: 'https://feeds.example.com/x' }).catch((err: unknown) => err)
  if (!(error instanceof ParseError)) throw new Error(`expected a ParseError, got ${String(error)}`)
  return error
}

describe('parseFeed: RSS 2.0', () => {
  it('reads the channel title and site link', async () => {
    const feed = await parseFixture('rss2.xml')
    expect(feed.title).toBe('每日经济新闻 - 金融')
    expect(feed.link).toBe('https://finance.example.com/')
  })

  it('returns every item', async () => {
    expect((await parseFixture('rss2.xml')).entries).toHaveLength(3)
  })

  it('maps guid, link, title, author and pubDate as given', async () => {
    const [entry] = (await parseFixture('rss2.xml')).entries
    expect(entry).toMatchObject({
      guid: 'NW202201112243496752',
      link: 'https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243496752',
      title: '深圳金融基础设施建设又添重要生力军：深圳征信服务有限公司通过备案正式运行',
      author: '张晓',
      published: 'Tue, 11 Jan 2022 13:35:18 +0800',
    })
  })

  it('takes content:encoded as content and description as summary', async () => {
    const [entry] = (await parseFixture('rss2.xml')).entries
    expect(entry?.content).toContain('<p class="em_media">（文章来源：每日经济新闻）</p>')
    expect(entry?.summary).toBe(
      '1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。',
    )
  })

  it('trims and dedupes categories', async () => {
    const [entry] = (await parseFixture('rss2.xml')).entries
    expect(entry?.categories).toEqual(['金融', '征信'])
  })

  it('takes the media name from <source>', async () => {
    const [entry] = (await parseFixture('rss2.xml')).entries
    expect(entry?.media).toBe('每日经济新闻')
  })

  it('falls back to <author> when there is no dc:creator', async () => {
    const entry = (await parseFixture('rss2.xml')).entries[2]
    expect(entry?.author).toBe('market@finance.example.com (市场部)')
  })

  it('leaves baseUrl unset when no xml:base is in scope', async () => {
    const feed = await parseFixture('rss2.xml')
    expect(feed.baseUrl).toBeUndefined()
    expect(feed.entries[0]?.baseUrl).toBeUndefined()
  })

  it('accepts a feed with no items', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><title>空频道</title></channel></rss>', {
      url: 'https://feeds.example.com/empty.xml',
    })
    expect(feed).toEqual({ title: '空频道', entries: [] })
  })

  it('reads an <rss> without a version attribute as RSS 2.0', async () => {
    const feed = await parseFeed('<rss><channel><title>t</title><item><title>快讯</title></item></channel></rss>', {
      url: 'https://feeds.example.com/x',
    })
    expect(feed.entries).toEqual([{ title: '快讯' }])
  })
})

describe('parseFeed: RSS 0.91', () => {
  it('returns the items with title, link and description', async () => {
    const feed = await parseFixture('rss091.xml')
    expect(feed.title).toBe('证券时报 要闻')
    expect(feed.entries).toHaveLength(2)
    expect(feed.entries[1]).toEqual({
      title: '北向资金全天净买入32.5亿元',
      link: 'https://stcn.example.com/kuaixun/2022/0111/a2.html',
      summary: '北向资金今日净买入32.5亿元，其中沪股通净买入18.2亿元，深股通净买入14.3亿元。',
    })
  })
})

describe('parseFeed: RSS 1.0 (RDF)', () => {
  it('returns the items that sit beside the channel', async () => {
    const feed = await parseFixture('rdf.xml')
    expect(feed.title).toBe('财新网 经济')
    expect(feed.link).toBe('https://caixin.example.com/economy/')
    expect(feed.entries).toHaveLength(2)
  })

  it('maps dc:date, dc:creator, dc:subject and uses rdf:about as guid', async () => {
    const [entry] = (await parseFixture('rdf.xml')).entries
    expect(entry).toMatchObject({
      guid: 'https://caixin.example.com/2022-01-11/101828001.html',
      published: '2022-01-12T09:30:00+08:00',
      author: '王然',
      categories: ['宏观'],
    })
  })
})

describe('parseFeed: Atom 1.0', () => {
  it('resolves the feed xml:base against the fetch URL and the feed link against it', async () => {
    const feed = await parseFixture('atom.xml')
    expect(feed.title).toBe('第一财经 金融')
    expect(feed.baseUrl).toBe('https://finance.example.com/news/')
    expect(feed.link).toBe('https://finance.example.com/')
    expect(feed.entries).toHaveLength(3)
  })

  it('takes the rel=alternate or rel-less link, never an enclosure', async () => {
    const [first, second] = (await parseFixture('atom.xml')).entries
    expect(first?.link).toBe('2022/01/11/cbirc-p2p.html')
    expect(second?.link).toBe('https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243530002')
  })

  it('maps id, author name, published, updated, category terms, summary and content', async () => {
    const [entry] = (await parseFixture('atom.xml')).entries
    expect(entry).toMatchObject({
      guid: 'tag:finance.example.com,2022:entry-20220111-001',
      author: '第一财经记者 陈静',
      published: '2022-01-11T10:00:00+08:00',
      updated: '2022-01-11T12:30:00+08:00',
      categories: ['监管', '银行'],
      summary: '银保监会发布通知，要求银行保险机构不得违规参与网络借贷业务。',
    })
    expect(entry?.content).toContain('<img src="images/cbirc.jpg" alt="银保监会大楼">')
  })

  it('falls back to updated when an entry has no published', async () => {
    const entry = (await parseFixture('atom.xml')).entries[1]
    expect(entry?.published).toBe('2022-01-11T15:30:00+08:00')
  })

  it('gives each entry the xml:base in scope for it', async () => {
    const entries = (await parseFixture('atom.xml')).entries
    expect(entries.map((entry) => entry.baseUrl)).toEqual([
      'https://finance.example.com/news/',
      'https://finance.example.com/news/',
      'https://m.finance.example.com/wap/',
    ])
  })

  it('resolves a relative entry xml:base against a relative feed xml:base against the fetch URL', async () => {
    const feed = await parseFixture('atom-xmlbase-nested.xml', 'https://sina.example.com/rss/markets.xml')
    expect(feed.baseUrl).toBe('https://sina.example.com/markets/')
    expect(feed.entries.map((entry) => entry.baseUrl)).toEqual([
      'https://sina.example.com/markets/funds/',
      'https://sina.example.com/markets/',
    ])
  })

  it('keeps an unparseable date as text instead of failing the feed', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:x:1</id><title>快讯</title><published>昨天</published></entry></feed>',
      { url: 'https://feeds.example.com/x' },
    )
    expect(feed.entries[0]?.published).toBe('昨天')
  })
})

describe('parseFeed: errors', () => {
  it('refuses an HTML page with E_PARSE_FORMAT', async () => {
    const error = await parseError(await readFixture('html-not-feed.html'))
    expect(error.code).toBe('E_PARSE_FORMAT')
    expect(error.message).toContain('not a feed: got an HTML page')
  })

  it('refuses JSON with E_PARSE_FORMAT', async () => {
    const error = await parseError('{"data":{"list":[]}}')
    expect(error.code).toBe('E_PARSE_FORMAT')
    expect(error.message).toContain('a JSON document')
  })

  it('refuses an empty body with E_PARSE_FORMAT', async () => {
    expect((await parseError('  \n')).code).toBe('E_PARSE_FORMAT')
  })

  it('refuses a well-formed XML document that is no feed with E_PARSE_FORMAT, naming its root', async () => {
    const error = await parseError('<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>')
    expect(error.code).toBe('E_PARSE_FORMAT')
    expect(error.message).toContain('<urlset>')
  })

  it('refuses an RSS 1.0 or 2.0 document without a channel with E_PARSE_FORMAT', async () => {
    const error = await parseError('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>')
    expect(error.code).toBe('E_PARSE_FORMAT')
    expect(error.message).toBe('not a feed: <rdf:RDF> without a <channel> in https://feeds.example.com/x')
  })

  it('reports a truncated file as E_PARSE_XML with the parser reason and cause', async () => {
    const error = await parseError(await readFixture('truncated.xml'))
    expect(error.code).toBe('E_PARSE_XML')
    expect(error.message).toContain('Unclosed root tag')
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('reports mismatched tags as E_PARSE_XML when no entry can be recovered', async () => {
    const error = await parseError('<rss version="2.0"><channel><title>a</titl><item><title>b</title></item></channel></rss>')
    expect(error.code).toBe('E_PARSE_XML')
    expect(error.message).toContain('Unexpected close tag')
  })
})
