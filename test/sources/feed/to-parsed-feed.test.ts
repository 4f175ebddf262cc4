import { describe, expect, it } from 'vitest'
import { capFeed } from '../../../src/caps.js'
import { ParseError } from '../../../src/errors.js'
import { parseFeed } from '../../../src/sources/feed/parse-feed.js'

const FEED_URL = 'https://feeds.example.com/feed.xml'

function parse(xml: string) {
  return parseFeed(xml, { url: FEED_URL })
}

function rss(items: string, channel = '<title>t</title>'): string {
  return `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>${channel}${items}</channel></rss>`
}

function atom(entries: string, feed = '<title>t</title>'): string {
  return `<feed xmlns="http://www.w3.org/2005/Atom">${feed}${entries}</feed>`
}

describe('parseFeed: text and CDATA', () => {
  it('reads CDATA as text and keeps the markup in it as written', async () => {
    const [entry] = (await parse(rss('<item><title><![CDATA[A & B]]></title><content:encoded><![CDATA[<p>a &amp; b</p>]]></content:encoded></item>'))).entries
    expect(entry).toEqual({ title: 'A & B', content: '<p>a &amp; b</p>' })
  })

  it('decodes named and numeric references in every field', async () => {
    const feed = await parse(rss('<item><title>&#20013;&#x6587; &amp; &copy;&nbsp;2022</title><link>https://a.example/?x=1&amp;y=2</link></item>', '<title>&lt;t&gt;</title>'))
    expect(feed).toEqual({ title: '<t>', entries: [{ title: '中文 & ©\u00A02022', link: 'https://a.example/?x=1&y=2' }] })
  })

  it('takes an element’s own text, not that of elements inside it', async () => {
    expect((await parse(rss('<item><title>a <b>b</b> c</title></item>'))).entries).toEqual([{ title: 'a  c' }])
  })
})

describe('parseFeed: namespaced elements, by the prefix feeds write', () => {
  it('reads content:encoded, dc:creator, dc:date, dc:subject and dc:title', async () => {
    const [entry] = (
      await parse(
        rss('<item><dc:title>DC</dc:title><content:encoded>C</content:encoded><dc:creator>W</dc:creator><dc:date>2022-01-11</dc:date><dc:subject>S</dc:subject></item>'),
      )
    ).entries
    expect(entry).toEqual({ title: 'DC', content: 'C', author: 'W', published: '2022-01-11', categories: ['S'] })
  })

  it('ignores an atom:link in RSS, which names the feed itself', async () => {
    const feed = await parse(rss('', '<title>t</title><atom:link href="https://feeds.example.com/self" rel="self"/><link>https://site.example/</link>'))
    expect(feed.link).toBe('https://site.example/')
  })

  it('refuses a root named like a feed in a namespace that is no feed\'s', async () => {
    const error = await parse('<x:feed xmlns:x="https://example.com/not-atom"></x:feed>').catch((err: unknown) => err)
    expect([error instanceof ParseError && error.code, (error as Error).message]).toEqual([
      'E_PARSE_FORMAT',
      `not a feed: got an XML document with root <x:feed> from ${FEED_URL}`,
    ])
  })
})

describe('parseFeed: markup inside content', () => {
  it('writes Atom type="xhtml" content back as markup, in document order', async () => {
    const [entry] = (
      await parse(atom('<entry><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One <b>two</b> &amp; three<br/></p><p>four</p></div></content></entry>'))
    ).entries
    expect(entry?.content).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>One <b>two</b> &amp; three<br/></p><p>four</p></div>')
  })

  it('keeps HTML a feed left unescaped in description and content:encoded', async () => {
    const [entry] = (await parse(rss('<item><description>Hello <b>world</b>!</description><content:encoded><p class="a">x</p></content:encoded></item>'))).entries
    expect([entry?.summary, entry?.content]).toEqual(['Hello <b>world</b>!', '<p class="a">x</p>'])
  })

  it('leaves out an empty Atom summary or content, whatever its attributes', async () => {
    const [entry] = (await parse(atom('<entry><id>1</id><summary type="html"></summary><content type="text" src="https://a.example/x"/></entry>'))).entries
    expect(entry).toEqual({ guid: '1' })
  })

  it('cuts markup nested deeper than the call stack goes instead of failing the feed', async () => {
    const [entry] = capFeed(await parse(rss(`<item><description>${'<b>'.repeat(100_000)}x${'</b>'.repeat(100_000)}</description></item>`))).feed.entries
    expect([entry?.summary?.length, entry?.summary?.startsWith('<b><b>')]).toEqual([200_000, true])
  })
})

describe('parseFeed: Atom links', () => {
  it('takes a link written as text, and an empty <link/> does not fail the feed', async () => {
    const feed = await parse(atom('<entry><id>1</id><link/><link>https://a.example/1</link></entry>', '<title>t</title><link>https://site.example/</link>'))
    expect(feed).toEqual({ title: 't', link: 'https://site.example/', entries: [{ guid: '1', link: 'https://a.example/1' }] })
  })
})

describe('parseFeed: elements by namespace, whatever the prefix', () => {
  it('reads an Atom feed whose elements carry a prefix, and entries redeclaring the namespace', async () => {
    const feed = await parse(
      '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>t</a:title><a:entry><a:title>one</a:title><a:id>urn:x:1</a:id></a:entry>' +
        '<p0:entry xmlns:p0="http://www.w3.org/2005/Atom"><p0:title>two</p0:title></p0:entry><entry xmlns="http://www.w3.org/2005/Atom"><title>three</title></entry></a:feed>',
    )
    expect(feed).toEqual({ title: 't', entries: [{ title: 'one', guid: 'urn:x:1' }, { title: 'two' }, { title: 'three' }] })
  })

  it('reads Dublin Core, content, Media RSS and iTunes elements under any prefix', async () => {
    const [entry] = (
      await parse(
        '<rss version="2.0" xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:m="http://search.yahoo.com/mrss/"><channel><title>t</title>' +
          '<item><d:creator>W</d:creator><d:date>2022-01-11</d:date><c:encoded>C</c:encoded><m:description>M</m:description><m:thumbnail url="https://a.example/t.png"/></item></channel></rss>',
      )
    ).entries
    expect(entry).toEqual({ author: 'W', published: '2022-01-11', content: 'C', summary: 'M', enclosures: [{ url: 'https://a.example/t.png' }] })
  })

  it('does not take an element of another namespace for RSS’s own', async () => {
    const [entry] = (await parse(rss('<item><title>t</title><x:link xmlns:x="https://example.com/other">https://wrong.example/</x:link></item>'))).entries
    expect(entry).toEqual({ title: 't' })
  })

  it('reads RSS 1.0 in its default namespace, with dc:description as the summary', async () => {
    const feed = await parse(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
        '<channel rdf:about="https://a.example/"><title>t</title></channel><item rdf:about="https://a.example/1"><title>one</title><dc:description>D</dc:description></item></rdf:RDF>',
    )
    expect(feed.entries).toEqual([{ guid: 'https://a.example/1', title: 'one', summary: 'D' }])
  })

  it('reads itunes:summary as the summary of an episode without a description', async () => {
    const [entry] = (await parse(rss('<item xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><title>t</title><itunes:summary>S</itunes:summary></item>'))).entries
    expect(entry).toEqual({ title: 't', summary: 'S' })
  })
})

describe('parseFeed: xml:base and Atom 0.3', () => {
  it('takes xml:base from the root element for the entries of an RSS feed', async () => {
    const feed = await parse('<rss version="2.0" xml:base="https://base.example/news/"><channel><title>t</title><item><title>a</title><link>a.html</link></item></channel></rss>')
    expect(feed).toMatchObject({ baseUrl: 'https://base.example/news/', entries: [{ link: 'a.html', baseUrl: 'https://base.example/news/' }] })
  })

  it('reads Atom 0.3 issued, created and modified as dates', async () => {
    const feed = await parse(
      '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>' +
        '<entry><title>a</title><issued>2022-01-11T04:00:00Z</issued><modified>2022-01-11T05:00:00Z</modified></entry>' +
        '<entry><title>b</title><created>2022-01-11T03:00:00Z</created></entry></feed>',
    )
    expect(feed.entries).toEqual([
      { title: 'a', published: '2022-01-11T04:00:00Z', updated: '2022-01-11T05:00:00Z' },
      { title: 'b', published: '2022-01-11T03:00:00Z' },
    ])
  })
})

describe('parseFeed: enclosures', () => {
  it('keeps RSS enclosures, Atom enclosure links and media:content, each URL once', async () => {
    const rssFeed = await parse(
      rss(
        '<item xmlns:media="http://search.yahoo.com/mrss/"><title>t</title><enclosure url="https://a.example/1.mp3" length="10" type="audio/mpeg"/>' +
          '<media:content url="https://a.example/1.mp3" type="audio/mpeg"/><media:group><media:content url="https://a.example/2.jpg" medium="image"/></media:group></item>',
      ),
    )
    const atomFeed = await parse(atom('<entry><title>t</title><link rel="enclosure" href="https://a.example/3.ogg" type="audio/ogg" length="7"/></entry>'))
    expect([rssFeed.entries[0]?.enclosures, atomFeed.entries[0]?.enclosures]).toEqual([
      [{ url: 'https://a.example/1.mp3', length: '10', type: 'audio/mpeg' }, { url: 'https://a.example/2.jpg' }],
      [{ url: 'https://a.example/3.ogg', type: 'audio/ogg', length: '7' }],
    ])
  })
})

describe('parseFeed: recovery from broken XML', () => {
  it('recovers the entries of a feed with a bare & and says why', async () => {
    const feed = await parse(rss('<item><title>M&A</title></item>'))
    expect(feed).toEqual({ title: 't', entries: [{ title: 'M&A' }], recovered: expect.stringMatching(/^Invalid character entity at line 1/) })
  })

  it('recovers every entry that closed from a truncated feed', async () => {
    const feed = await parse('<rss version="2.0"><channel><title>t</title><item><title>a</title></item><item><title>b</title></item><item><title>c')
    expect([feed.entries, feed.recovered]).toEqual([[{ title: 'a' }, { title: 'b' }], expect.stringMatching(/^Unclosed root tag/)])
  })

  it('still refuses a document with entity declarations, before any read', async () => {
    const error = await parse('<!DOCTYPE rss [<!ENTITY x "y">]><rss><channel><item><title>&x; &</title></item></channel></rss>').catch((err: unknown) => err)
    expect((error as ParseError).message).toMatch(/DOCTYPE declares entities/)
  })
})
