import { describe, expect, it } from 'vitest'
import { checkHtmlPage, checkJekyllPost, checkOpml, checkOutput } from '../../src/publish/check-output.js'

function atom(entries: string, links = '<link rel="self" href="https://news.example.com/atom.xml"/>'): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://news.example.com/</id><title>金融消息</title><updated>2022-01-11T05:35:18.000Z</updated>
  ${links}
  ${entries}
</feed>
`
}

function entry(id: string, link = 'https://finance.example.com/a.html', updated = '2022-01-11T05:35:18.000Z'): string {
  return `<entry><title>标题</title><id>${id}</id><link href="${link}"/><updated>${updated}</updated></entry>`
}

function jsonFeed(items: object[]): string {
  return JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: '金融消息', feed_url: 'https://news.example.com/feed.json', items })
}

describe('checkOutput', () => {
  it('accepts a well-formed feed with a self link, unique ids, valid dates and absolute links', () => {
    expect(checkOutput('atom', atom(entry('urn:feedloom:NW1') + entry('urn:feedloom:NW2')))).toEqual([])
  })

  it('rejects XML that is not well-formed', () => {
    expect(checkOutput('atom', atom('<entry><title>标题</entry>'))[0]).toMatch(/^not well-formed XML: /)
  })

  it('rejects a feed without a self link', () => {
    expect(checkOutput('atom', atom(entry('urn:feedloom:NW1'), ''))).toEqual(['no self link'])
  })

  it('rejects duplicate item ids', () => {
    expect(checkOutput('atom', atom(entry('urn:feedloom:NW1') + entry('urn:feedloom:NW1')))).toEqual([
      'duplicate item id "urn:feedloom:NW1"',
    ])
  })

  it('rejects a link that is not absolute http(s)', () => {
    expect(checkOutput('atom', atom(entry('urn:feedloom:NW1', 'ftp://finance.example.com/a.html')))).toEqual([
      'link is not absolute http(s): "ftp://finance.example.com/a.html"',
    ])
  })

  it('rejects an RSS date that does not parse', () => {
    const rss = `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
      <title>金融消息</title><link>https://news.example.com/</link><lastBuildDate>Invalid Date</lastBuildDate>
      <atom:link href="https://news.example.com/rss.xml" rel="self" type="application/rss+xml"/>
    </channel></rss>`
    expect(checkOutput('rss', rss)).toEqual(['invalid date "Invalid Date"'])
  })

  it('rejects JSON that does not parse', () => {
    expect(checkOutput('json', '{"version":')[0]).toMatch(/^not valid JSON: /)
  })

  it('rejects a JSON Feed item without an id', () => {
    expect(checkOutput('json', jsonFeed([{ url: 'https://finance.example.com/a.html' }]))).toEqual(['empty item id'])
  })
})

describe('checkOpml', () => {
  const opml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>t</title></head><body>${body}</body></opml>`

  it('accepts OPML 2.0 whose feeds have absolute http(s) URLs', () => {
    expect(checkOpml(opml('<outline type="rss" text="a" xmlUrl="https://news.example.com/rss.xml"/>'))).toEqual([])
  })

  it('rejects OPML that is not well-formed', () => {
    expect(checkOpml(opml('<outline text="a">'))[0]).toMatch(/^not well-formed XML: /)
  })

  it('rejects a feed outline whose xmlUrl is not absolute', () => {
    expect(checkOpml(opml('<outline type="rss" text="a" xmlUrl="rss.xml"/>'))).toEqual(['link is not absolute http(s): "rss.xml"'])
  })
})

describe('checkHtmlPage', () => {
  it('rejects a page without its escaped title', () => {
    expect(checkHtmlPage('<title>A &amp; B</title>', 'A &amp; B')).toEqual([])
    expect(checkHtmlPage('<title>A & B</title>', 'A &amp; B')).toEqual(['title "A &amp; B" missing'])
  })

  it('rejects an empty page', () => {
    expect(checkHtmlPage('', 'A')).toContain('empty page')
  })

  it('rejects a page with a script element', () => {
    expect(checkHtmlPage('<title>A</title><script>x</script>', 'A')).toEqual(['page contains a script element'])
  })
})

describe('checkJekyllPost', () => {
  const post = (title: string) => `---\nlayout: post\ntitle: ${title}\ndate: 2022-01-11 13:35:18 +0800\ncategories: a\ntags: b\n---\n<p>x</p>`

  it('accepts a post with one front matter line per key', () => {
    expect(checkJekyllPost(post('"标题"'))).toEqual([])
  })

  it('rejects front matter that a raw newline in a value pushed out of shape', () => {
    expect(checkJekyllPost(post('"标题\n第二行"'))).not.toEqual([])
  })
})
