import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { stripDeceptiveChars } from '../../src/publish/strip-deceptive-chars.js'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { decodeHtml } from '../helpers/find-unsafe-html.js'
import { createConfig, createItem, createOutputDir, publishItems, readOutput } from './publish-fixtures.js'

/** A title whose text reads as a tag (a source escaped it twice), a CDATA end, escaped text, deceptive invisible characters, an emoji sequence. */
const TITLE = '<img src=x onerror=alert(1)> a]]>b c]]&gt;d \u202Eevil\u202C pay\u200Bpal pay\u200Dpal 👨\u200D👩 AT&T'
/** What a reader must show: the same text without the bidi override and the zero-width characters between Latin letters. */
const SHOWN = '<img src=x onerror=alert(1)> a]]>b c]]&gt;d evil paypal paypal 👨\u200D👩 AT&T'
/** The shown text escaped once for HTML. */
const AS_HTML = '&lt;img src=x onerror=alert(1)&gt; a]]&gt;b c]]&amp;gt;d evil paypal paypal 👨\u200D👩 AT&amp;T'

let outputDir = ''

beforeAll(async () => {
  outputDir = await createOutputDir()
  const item = createItem('NW202201112243496900', { title: TITLE })
  await publishItems({ items: [item], config: createConfig(outputDir, { output: { html: true } }), changedCategories: 'all' })
})

describe('item titles in every output: text, escaped once for its context', () => {
  it('RSS: HTML-escaped inside CDATA, so no reader finds a tag and `]]>` cannot end the section', async () => {
    expect(await readOutput(outputDir, 'rss.xml')).toContain(`<title><![CDATA[${AS_HTML}]]></title>`)
  })

  it('Atom: the same HTML in a type="html" title', async () => {
    expect(await readOutput(outputDir, 'atom.xml')).toContain(`<title type="html"><![CDATA[${AS_HTML}]]></title>`)
  })

  it('JSON Feed: plain text, as the format defines its title', async () => {
    const feed = JSON.parse(await readOutput(outputDir, 'feed.json')) as { items: { title: string }[] }
    expect(feed.items.map((item) => item.title)).toEqual([SHOWN])
  })

  it('HTML page: escaped text inside the link', async () => {
    expect(await readOutput(outputDir, 'index.html')).toContain(`>${AS_HTML}</a>`)
  })

  it.skipIf(!hasFeedparser)(`feedparser reads the RSS and Atom titles as HTML showing the text${hasFeedparser ? '' : ` (skipped: ${feedparserMissing})`}`, () => {
    const reports = readFeeds(['rss.xml', 'atom.xml'].map((file) => path.join(outputDir, file)))
    expect(reports.map((report) => report.titles.map(decodeHtml))).toEqual([[SHOWN], [SHOWN]])
  })
})

describe('feed titles made from a media name', () => {
  it('RSS: the channel title is escaped once for HTML as well, so a reader shows the name as text', async () => {
    const dir = await createOutputDir()
    const item = createItem('NW1', { category: 'meiti', categoryTitle: '<b>媒体</b> & Co\u202E' })
    await publishItems({ items: [item], config: createConfig(dir), changedCategories: 'all' })
    // xml-js leaves `&amp;` as it is (it takes it for a reference): the reader's HTML holds a bare `&`, which shows as `&`.
    expect(await readOutput(dir, 'meiti/rss.xml')).toContain('<title>&amp;lt;b&amp;gt;媒体&amp;lt;/b&amp;gt; &amp; Co - 金融消息</title>')
  })
})

describe('deceptive invisible characters', () => {
  it.each([
    ['a bidi override and its pop', 'file\u202Efdp.exe\u202C', 'filefdp.exe'],
    ['bidi isolates', 'a\u2066b\u2067c\u2068d\u2069', 'abcd'],
    ['zero-width space, word joiner and BOM inside a word', 'pa\u200By\u2060pa\uFEFFl', 'paypal'],
    ['joiners between Latin letters or Han characters', 'pay\u200Dpal 央\u200C行', 'paypal 央行'],
  ])('strips %s', (_, text, stripped) => {
    expect(stripDeceptiveChars(text)).toBe(stripped)
  })

  it.each([
    ['an emoji sequence', '👨\u200D👩\u200D👧'],
    ['a Persian word with a non-joiner', 'می\u200Cخواهم'],
    ['a Devanagari conjunct with a joiner', 'क्\u200Dष'],
  ])('keeps the joiners of %s', (_, text) => {
    expect(stripDeceptiveChars(text)).toBe(text)
  })
})
