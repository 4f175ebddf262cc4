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
