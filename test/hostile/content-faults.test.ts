import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capFeed } from '../../src/caps.js'
import { FeedloomError } from '../../src/errors.js'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { isDropped, normalizeEntry } from '../../src/normalize/normalize-entry.js'
import { parseFeed } from '../../src/sources/feed/parse-feed.js'
import type { NormalizedEntry, ParsedFeed } from '../../src/types.js'
import {
  ACTIVE_CONTENT_MARKERS,
  createHostileFarm,
  GBK_TITLE,
  type HostileFarm,
} from '../helpers/hostile-farm.js'
import { createHostileFetchers, HOSTILE_FETCH } from './hostile-test-helpers.js'

/** XML 1.0 §2.2: what must never reach a document, plus unpaired surrogates. */
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const SECRET = 'FEEDLOOM-SECRET-MARKER-5f1c'

/** The caps documented in src/caps.ts (CAPS), spelled out so a changed cap fails here. */
const CAPS = { maxTitleChars: 1_000, maxContentChars: 200_000, maxEntries: 1_000 }
const NOW = new Date('2024-06-01T00:00:00Z')

let farm: HostileFarm
let fetcher: Fetcher
let secretDir: string
const fetchers = createHostileFetchers()

beforeAll(async () => {
  secretDir = await mkdtemp(join(tmpdir(), 'feedloom-secret-'))
  const secretFile = join(secretDir, 'secret.txt')
  await writeFile(secretFile, `${SECRET}\n`)
  farm = await createHostileFarm({ ...HOSTILE_FETCH, maxBytes: 8 * 1024 * 1024, secretFile })
  fetcher = fetchers.create({ maxBytes: 8 * 1024 * 1024 })
})

afterAll(async () => {
  await fetchers.closeAll()
  await farm.close()
  await rm(secretDir, { recursive: true, force: true })
})

/** Fetch, parse and cap, as a feed source does; rejects with the FetchError or ParseError. */
async function parseCase(id: string): Promise<{ feed: ParsedFeed; url: string; reasons: string[] }> {
  const result = await fetcher.fetchText({ url: farm.caseById(id).url })
  if (result.status !== 'ok') throw new Error(`${id}: unexpected ${result.status}`)
  return { ...capFeed(await parseFeed(result.text, { url: result.url })), url: result.url }
}

async function normalizeCase(id: string): Promise<NormalizedEntry[]> {
  const { feed, url } = await parseCase(id)
  return feed.entries.flatMap((raw) => {
    const entry = normalizeEntry(raw, { sourceId: id, feedUrl: url, feedLink: feed.link, timezone: 'Asia/Shanghai', now: NOW })
    return isDropped(entry) ? [] : [entry]
  })
}

async function failureOf(id: string): Promise<FeedloomError> {
  const err = await parseCase(id).then(
    () => undefined,
    (rejection: unknown) => rejection,
  )
  if (!(err instanceof FeedloomError)) throw new Error(`${id}: expected a FeedloomError, got ${String(err)}`)
  return err
}

const FAILING_CONTENT_CASES = [
  ['html-page', 'E_PARSE_FORMAT'],
  ['empty-body', 'E_FETCH_EMPTY'],
  ['malformed', 'E_PARSE_XML'],
  ['truncated', 'E_PARSE_XML'],
  ['xxe-file', 'E_PARSE_XML'],
  ['xxe-parameter', 'E_PARSE_XML'],
  ['billion-laughs', 'E_PARSE_XML'],
  ['quadratic-blowup', 'E_PARSE_XML'],
] as const

describe('hostile content: a clear per-source error', () => {
  it('lists the same code in the farm as the tests expect, for every failing content case', () => {
    const listed = farm.cases
      .filter((one) => one.group === 'content' && one.expect.outcome === 'error')
      .map((one) => [one.id, one.expect.outcome === 'error' ? one.expect.code : ''])
    expect(listed).toEqual(FAILING_CONTENT_CASES.map(([id, code]) => [id, code]))
  })

  it.each(FAILING_CONTENT_CASES)('%s → %s', async (id, code) => {
    expect((await failureOf(id)).code).toBe(code)
  })

  it.each(['xxe-file', 'xxe-parameter', 'billion-laughs', 'quadratic-blowup'])(
    '%s: is refused for declaring entities, naming the reason',
    async (id) => {
      expect((await failureOf(id)).message).toMatch(/DOCTYPE declares entities/)
    },
  )
})

describe('hostile content: entities never read anything', () => {
  it('never puts the text of a file named by an external entity into an error or entry', async () => {
    const err = await failureOf('xxe-file')
    expect(JSON.stringify({ message: err.message, cause: String(err.cause) })).not.toContain(SECRET)
  })

  it('never requests the DTD a parameter entity names', async () => {
    await failureOf('xxe-parameter')
    expect(farm.requests.map((request) => request.path)).not.toContain('/content/evil.dtd')
  })

  it('parses a feed naming an external DTD without ever requesting it', async () => {
    const { feed } = await parseCase('external-dtd')
    expect([feed.entries.length, farm.requests.some((request) => request.path === '/content/external.dtd')]).toEqual([1, false])
  })
})

describe('hostile content: entity bombs are bounded', () => {
  it.each(['billion-laughs', 'quadratic-blowup'])('%s is refused in under 200 ms', async (id) => {
    const result = await fetcher.fetchText({ url: farm.caseById(id).url })
    if (result.status !== 'ok') throw new Error('unexpected 304')
    const startedMs = performance.now()
    await parseFeed(result.text, { url: result.url }).catch(() => undefined)
    expect(performance.now() - startedMs).toBeLessThan(200)
  })

  it.each(['billion-laughs', 'quadratic-blowup'])('%s is refused growing the heap by under 32 MB', async (id) => {
    const result = await fetcher.fetchText({ url: farm.caseById(id).url })
    if (result.status !== 'ok') throw new Error('unexpected 304')
    const before = process.memoryUsage().heapUsed
    let peak = before
    const text = result.text
    const parsing = parseFeed(text, { url: result.url }).catch(() => undefined)
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    await parsing
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    expect(peak - before).toBeLessThan(32 * 1024 * 1024)
  })
})

describe('hostile content: charsets', () => {
  it('strips a UTF-8 BOM and reads the feed', async () => {
    expect((await parseCase('bom-utf8')).feed.entries.map((entry) => entry.title)).toEqual(['BOM 中文'])
  })

  it('reads UTF-16LE by its BOM', async () => {
    expect((await parseCase('bom-utf16')).feed.entries.map((entry) => entry.title)).toEqual(['UTF-16 中文'])
  })

  it('decodes GBK named only in the prolog', async () => {
    expect((await parseCase('gbk-prolog')).feed.entries.map((entry) => entry.title)).toEqual([GBK_TITLE])
  })

  it('decodes GBK named only in the header', async () => {
    expect((await parseCase('gbk-header')).feed.entries.map((entry) => entry.title)).toEqual([GBK_TITLE])
  })

  it('decodes GBK served as charset=utf-8 by the charset its XML prolog names, since the bytes are not UTF-8', async () => {
    expect((await parseCase('gbk-mislabeled')).feed.entries.map((entry) => entry.title)).toEqual([GBK_TITLE])
  })

  it('decodes GBK declared UTF-8 everywhere lossily, with U+FFFD, instead of failing', async () => {
    const title = (await parseCase('gbk-as-utf8')).feed.entries[0]?.title
    expect([title?.includes('\uFFFD'), title === GBK_TITLE]).toEqual([true, false])
  })
})

describe('hostile content: cleaned items', () => {
  it('keeps a feed whose text holds references to invalid XML characters instead of failing it', async () => {
    expect((await parseCase('control-chars')).feed.entries).toHaveLength(2)
  })

  it('hands on no invalid XML character or lone surrogate from the parser', async () => {
    const { feed } = await parseCase('control-chars')
    expect(JSON.stringify(feed.entries.map((entry) => [entry.title, entry.content, entry.summary, entry.author]))).not.toMatch(/\\u00(0[0-8bcef]|1[0-9a-f])|\\ud[89a-f][0-9a-f]{2}|\\ufff[ef]/i)
  })

  it('joins a surrogate pair written as two references into its character', async () => {
    const { feed } = await parseCase('control-chars')
    expect(feed.entries[0]?.content).toContain('😀')
  })

  it('normalizes entries with no invalid XML character in any field', async () => {
    const entries = await normalizeCase('control-chars')
    expect(entries.filter((entry) => INVALID_XML_CHAR.test(JSON.stringify(entry)))).toEqual([])
  })

  it('removes script, style, iframe, handlers, javascript:/data: URLs and CSS expressions from content', async () => {
    const [entry] = await normalizeCase('active-content')
    const html = `${entry?.title}\n${entry?.content}`
    expect(ACTIVE_CONTENT_MARKERS.filter((marker) => html.toLowerCase().includes(marker))).toEqual([])
  })

  it('keeps the harmless text of active content', async () => {
    const [entry] = await normalizeCase('active-content')
    expect(entry?.content).toContain('Kept text')
  })

  it("resolves relative item links against the feed's site link", async () => {
    const entries = await normalizeCase('relative-links')
    expect(entries.map((entry) => entry.link)).toEqual([
      'https://hostile.example/articles/1.html',
      'https://hostile.example/content/relative/articles/2.html',
    ])
  })

  it('gives an item with an invalid, impossible or far-future date no date (first-seen is used)', async () => {
    const entries = await normalizeCase('bad-dates')
    expect(entries.map((entry) => entry.published ?? null)).toEqual([null, null, null, null, '2022-01-11T05:35:18.000Z'])
  })

  it(`caps an enormous title at ${CAPS.maxTitleChars} characters`, async () => {
    const { feed } = await parseCase('enormous')
    expect(feed.entries[0]?.title?.length).toBeLessThanOrEqual(CAPS.maxTitleChars)
  })

  it(`caps enormous content at ${CAPS.maxContentChars} characters`, async () => {
    const { feed } = await parseCase('enormous')
    expect(feed.entries[0]?.content?.length).toBeLessThanOrEqual(CAPS.maxContentChars)
  })

  it(`keeps the first ${CAPS.maxEntries} entries of a feed with more, and says so`, async () => {
    const { feed, reasons } = await parseCase('many-entries')
    expect([feed.entries.length, feed.entries[0]?.title, reasons]).toEqual([CAPS.maxEntries, 'tiny 0', ['answered 1500 entries; kept the first 1000']])
  })
})
