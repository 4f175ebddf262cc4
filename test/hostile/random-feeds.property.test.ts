import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { atomSchemaErrors, hasJudges } from '../helpers/judge-feeds.js'
import { runCli } from '../helpers/run-cli.js'

const RUNS = Number(process.env.FEEDLOOM_PROPERTY_RUNS ?? 60)
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0

/** Code points from every corner: ASCII, C0/C1 controls, CJK, lone surrogates, non-characters, astral. */
const codePoint = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x00, max: 0x1f }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x7f, max: 0x9f }) },
  { weight: 3, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
)

const anyText = fc.array(codePoint, { maxLength: 30 }).map((points) => String.fromCodePoint(...points))

/** Text as a feed may carry it: escaped, as numeric references (to anything), in CDATA, or with named entities. */
const xmlText = fc.oneof(
  anyText.map(escapeXml),
  anyText.map((text) => [...text].map((char) => `&#x${(char.codePointAt(0) ?? 0).toString(16)};`).join('')),
  anyText.map(cdata),
  fc.array(fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&nbsp;', '&copy;', '&amp;lt;b&amp;gt;', '&#38;#60;'), { maxLength: 5 }).map((parts) => parts.join(' ')),
)

/** HTML nested a few levels, active content included, as text for escaping or CDATA. */
const html: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyText.map(escapeXml),
    fc
      .tuple(
        fc.constantFrom('p', 'div', 'b', 'span', 'script', 'style', 'iframe', 'a href="javascript:alert(1)"', 'img src="data:x"', 'div style="x:expression(1)"', 'p onclick="x()"', 'ul', 'li', 'table', 'td'),
        fc.array(tie('node'), { maxLength: 3 }),
      )
      .map(([tag, children]) => `<${tag}>${children.join('')}</${tag.split(' ')[0]}>`),
  ),
})).node

const date = fc.oneof(
  fc.constantFrom(
    'Tue, 11 Jan 2022 13:35:18 +0800',
    '2022-01-11T13:35:18Z',
    '2022-01-11 13:35:18',
    'Fri, 01 Jan 2999 00:00:00 GMT',
    'not a date',
    '0000-00-00',
    '1641879318',
    '',
  ),
  fc.date({ noInvalidDate: false, min: new Date(-8.64e15), max: new Date(8.64e15) }).map((value) => (Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toUTCString())),
)

interface ItemShape {
  title?: string
  hasLink: boolean
  relativeLink: boolean
  date?: string
  content?: string
  summaryNoise: string
  guid: boolean
  extension: boolean
}

const item: fc.Arbitrary<ItemShape> = fc.record(
  {
    title: xmlText,
    hasLink: fc.integer({ min: 0, max: 9 }).map((draw) => draw < 8),
    relativeLink: fc.boolean(),
    date,
    content: fc.tuple(html, fc.boolean()).map(([text, inCdata]) => (inCdata ? cdata(text) : escapeXml(text))),
    summaryNoise: xmlText,
    guid: fc.boolean(),
    extension: fc.boolean(),
  },
  { requiredKeys: ['hasLink', 'relativeLink', 'summaryNoise', 'guid', 'extension'] },
)

const feedShape = fc.record({
  format: fc.constantFrom('rss', 'atom'),
  title: fc.option(xmlText, { nil: undefined }),
  items: fc.array(item, { maxLength: 8 }),
})

type FeedShape = typeof feedShape extends fc.Arbitrary<infer T> ? T : never

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`
}

/** Every item must come out, with or without a link; each has a unique link and plain text to title it by. */
function renderFeed(shape: FeedShape, run: number): { xml: string; expectedItems: number } {
  const site = `https://prop.example/${run}/`
  const entries = shape.items.map((one, index) => {
    const link = one.relativeLink ? `items/${index}.html` : `${site}items/${index}.html`
    const summary = `${one.summaryNoise} item${index}`
    const extension = one.extension ? `<x:meta xmlns:x="urn:x"><x:deep><x:deeper a="1">${one.summaryNoise}</x:deeper></x:deep></x:meta>` : ''
    if (shape.format === 'atom') {
      return [
        '<entry>',
        one.title === undefined ? '' : `<title type="html">${one.title}</title>`,
        one.hasLink ? `<link href="${link}"/>` : '',
        one.guid ? `<id>urn:prop:${run}:${index}</id>` : '',
        one.date === undefined ? '' : `<updated>${escapeXml(one.date)}</updated>`,
        `<summary type="html">${summary}</summary>`,
        one.content === undefined ? '' : `<content type="html">${one.content}</content>`,
        extension,
        '</entry>',
      ].join('')
    }
    return [
      '<item>',
      one.title === undefined ? '' : `<title>${one.title}</title>`,
      one.hasLink ? `<link>${link}</link>` : '',
      one.guid ? `<guid isPermaLink="false">urn:prop:${run}:${index}</guid>` : '',
      one.date === undefined ? '' : `<pubDate>${escapeXml(one.date)}</pubDate>`,
      `<description>${summary}</description>`,
      one.content === undefined ? '' : `<content:encoded>${one.content}</content:encoded>`,
      extension,
      '</item>',
    ].join('')
  })
  const title = shape.title ?? ''
  const xml =
    shape.format === 'atom'
      ? `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title><id>urn:prop:${run}</id><link href="${site}"/>${entries.join('')}</feed>`
      : `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title><link>${site}</link><description>d</description>${entries.join('')}</channel></rss>`
  return { xml, expectedItems: shape.items.length }
}

let server: FeedServer
let root: string
let runs = 0

beforeAll(async () => {
  server = await createFeedServer()
  root = await mkdtemp(join(tmpdir(), 'feedloom-property-'))
})

afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

interface CycleOutcome {
  code: number
  stderr: string
  /** Feed files written, with the number of items each must hold. */
  feeds: { path: string; items: number }[]
}

/** One `feedloom run` over one source serving `xml`, in a fresh folder. */
async function runFeed(xml: string, expectedItems: number): Promise<CycleOutcome> {
  runs += 1
  const dir = join(root, `run-${runs}`)
  const path = `/feed-${runs}.xml`
  server.routes[path] = { body: Buffer.from(xml, 'utf8'), headers: { 'content-type': 'application/xml; charset=utf-8' } }
  await rm(dir, { recursive: true, force: true })
  const configPath = join(root, `run-${runs}.config.json`)
  await writeFile(
    configPath,
    JSON.stringify({
      site: { title: 'property', url: 'https://news.example.com/' },
      // Random dates reach back to year -271821: no item may age out of the store.
      store: { path: join(dir, 'store/db.json'), maxAgeDays: 1e9 },
      output: { dir: join(dir, 'out'), html: false, opml: false },
      sources: [{ id: 'random', type: 'feed', url: `${server.url}${path}`, category: 'random' }],
    }),
  )
  const run = await runCli('run', '--config', configPath)
  const files = await readdir(join(dir, 'out'), { recursive: true }).catch(() => [] as string[])
  const feeds = files
    .filter((file) => /(rss|atom)\.xml$|feed\.json$/.test(file))
    .map((file) => ({ path: join(dir, 'out', file), items: expectedItems }))
  return { code: run.code, stderr: run.stderr, feeds }
}

async function isWellFormed(path: string): Promise<boolean> {
  const text = await readFile(path, 'utf8')
  if (INVALID_XML_CHAR.test(text)) return false
  if (path.endsWith('.json')) {
    try {
      JSON.parse(text)
      return true
    } catch {
      return false
    }
  }
  return XMLValidator.validate(text) === true
}

async function countItems(path: string): Promise<number> {
  const text = await readFile(path, 'utf8')
  if (path.endsWith('.json')) return (JSON.parse(text) as { items: unknown[] }).items.length
  return (text.match(/<item>|<entry>/g) ?? []).length
}

describe(`random feeds (${RUNS} runs each)`, () => {
  it('never crash a cycle: the source succeeds and every output is well-formed with every item', async () => {
    await fc.assert(
      fc.asyncProperty(feedShape, async (shape) => {
        const { xml, expectedItems } = renderFeed(shape, runs + 1)
        const outcome = await runFeed(xml, expectedItems)
        expect(outcome.code, outcome.stderr).toBe(0)
        expect(outcome.stderr, xml).not.toMatch(/source random failed/)
        for (const feed of outcome.feeds) {
          expect(await isWellFormed(feed.path), `${feed.path}\n${xml}`).toBe(true)
          expect(await countItems(feed.path), `${feed.path}\n${xml}`).toBe(feed.items)
        }
      }),
      { numRuns: RUNS },
    )
  }, 120_000)

  it('are read by independent parsers (xmllint, Python feedparser, jing with RFC 4287’s schema) with the same item count', async (context) => {
    if (!hasFeedparser) return context.skip(feedparserMissing)
    const feeds: CycleOutcome['feeds'] = []
    for (const [index, shape] of fc.sample(feedShape, { numRuns: RUNS, seed: 5 }).entries()) {
      const { xml, expectedItems } = renderFeed(shape, 10_000 + index)
      feeds.push(...(await runFeed(xml, expectedItems)).feeds)
    }
    const xmlFiles = feeds.filter((feed) => feed.path.endsWith('.xml')).map((feed) => feed.path)
    const lint = hasXmllint ? spawnSync('xmllint', ['--noout', ...xmlFiles], { encoding: 'utf8' }) : undefined
    const reports = readFeeds(feeds.map((feed) => feed.path))
    const problems = reports.flatMap((report, index) => {
      const feed = feeds[index]
      if (feed === undefined) return []
      if (report.bozo) return [`${feed.path}: bozo ${report.error}`]
      return report.ids.length === feed.items ? [] : [`${feed.path}: feedparser read ${report.ids.length} of ${feed.items} items`]
    })
    const atomErrors = hasJudges ? atomSchemaErrors(xmlFiles.filter((file) => file.endsWith('atom.xml'))) : ''
    expect({ xmllint: lint?.stderr ?? '', problems, atomErrors }).toEqual({ xmllint: '', problems: [], atomErrors: '' })
  }, 120_000)
})
