import Parser from 'rss-parser'
import { ParseError } from '../../errors.js'
import type { ParsedFeed, RawEntry } from '../../types.js'
import { capFeed, FEED_CAPS } from './cap-entry.js'
import { readProlog } from './read-prolog.js'
import { stripInvalidXml } from './strip-invalid-xml.js'

export interface ParseFeedOptions {
  /** The URL the text was fetched from; the base for the feed's own xml:base. */
  url: string
}

type FeedFormat = 'rss' | 'rdf' | 'atom'

/** Characters sax reads before yielding to the event loop. */
const PARSE_CHUNK_CHARS = 16 * 1024

type Fields = Record<string, unknown>

type RssParserOutput = Fields & { items: Fields[] }

const FEED_ROOTS = new Map<string, FeedFormat>([
  ['rss', 'rss'],
  ['rdf:RDF', 'rdf'],
  ['feed', 'atom'],
])

/**
 * rss-parser turns Atom `<published>`/`<updated>` into `new Date(x).toISOString()`, which throws
 * a RangeError on one bad date and loses the whole feed; renamed, they reach us as raw text.
 */
const RENAMED_TAGS = new Map([
  ['published', 'feedloom-published'],
  ['updated', 'feedloom-updated'],
])

/**
 * Feed, RSS 0.9x/1.0/2.0 or Atom 1.0 text → raw entries. Never fetches, and never reads anything
 * through an entity: a document declaring entities is refused before parsing, and sax does not
 * expand DTD entities anyway (no file, URL or billion laughs). What is kept is capped (FEED_CAPS).
 */
export async function parseFeed(text: string, options: ParseFeedOptions): Promise<ParsedFeed> {
  const cleaned = stripInvalidXml(text)
  const { doctype, rest } = readProlog(cleaned.replace(/^\uFEFF/, ''))
  const nonFeed = describeNonFeed(doctype, rest)
  if (nonFeed !== undefined) throw notAFeed(nonFeed, options.url)
  if (doctype !== undefined && /<!ENTITY/i.test(doctype)) {
    throw new ParseError(
      'E_PARSE_XML',
      `refused XML in ${options.url}: its DOCTYPE declares entities, which feedloom never expands (XXE, entity expansion)`,
    )
  }
  const seen: { root?: string } = {}
  try {
    const feed = await parseDocument(createParser(seen), cleaned)
    return capFeed(toParsedFeed(feed, formatOf(seen.root, options.url), options.url))
  } catch (cause) {
    throw toParseError(cause, seen.root, options.url)
  }
}

/** What a document that is plainly not XML, or plainly an HTML page, is; undefined for anything else. */
function describeNonFeed(doctype: string | undefined, rest: string): string | undefined {
  const start = rest.trimStart()
  if (start === '' && doctype === undefined) return 'an empty document'
  if (start.startsWith('{') || start.startsWith('[')) return 'a JSON document'
  if (start !== '' && !start.startsWith('<')) return 'plain text'
  const root = /^<([A-Za-z_][\w.:-]*)/.exec(start)?.[1]?.toLowerCase()
  const isHtml = /^<!doctype\s+html/i.test(doctype ?? '') || ['html', 'head', 'body'].includes(root ?? '')
  return isHtml ? 'an HTML page' : undefined
}

/** `seen.root` records the document element, the first tag name xml2js hands its processors. */
function createParser(seen: { root?: string }): Parser<Fields, Fields> {
  const renameTag = (name: string): string => {
    seen.root ??= name
    return RENAMED_TAGS.get(name) ?? name
  }
  return new Parser<Fields, Fields>({
    // An unversioned <rss> is read as RSS 2.0 (a superset of 0.9x) instead of rejected.
    defaultRSS: 2,
    // async: sax reads the document in chunks with setImmediate between them, so a large feed
    // does not stall the event loop (other sources' deadlines and sockets) for its whole parse.
    xml2js: { tagNameProcessors: [renameTag], async: true, chunkSize: PARSE_CHUNK_CHARS },
    customFields: {
      // rss-parser's typings allow only plain names for feed fields, but its copyFromXML takes the
      // same [from, to, { keepArray }] form as for items; keepArray on `$` yields the attributes.
      feed: [
        ['$', 'feedloomAttrs', { keepArray: true }],
        ['link', 'feedloomLinks', { keepArray: true }],
      ] as unknown as string[],
      item: [
        ['$', 'feedloomAttrs', { keepArray: true }],
        ['link', 'feedloomLinks', { keepArray: true }],
        ['category', 'feedloomCategories', { keepArray: true }],
        ['dc:subject', 'feedloomSubjects', { keepArray: true }],
        ['source', 'feedloomSource', { keepArray: true }],
        ['feedloom-published', 'feedloomPublished'],
        ['feedloom-updated', 'feedloomUpdated'],
      ],
    },
  })
}

function formatOf(root: string | undefined, url: string): FeedFormat {
  const format = root === undefined ? undefined : FEED_ROOTS.get(root)
  if (format === undefined) throw notAFeed(`an XML document with root <${root ?? ''}>`, url)
  return format
}

function notAFeed(what: string, url: string): ParseError {
  return new ParseError('E_PARSE_FORMAT', `not a feed: got ${what} from ${url}`)
}

/** rss-parser's own methods, which its typings leave out: the xml2js parser it made and its builders. */
interface RssParserInternals {
  xmlParser: { parseString(text: string, callback: (err: unknown, result: unknown) => void): void }
  buildAtomFeed(result: unknown): RssParserOutput
  buildRSS2(result: unknown): RssParserOutput
  buildRSS1(result: unknown): RssParserOutput
  buildRSS0_9(result: unknown): RssParserOutput
}

/**
 * rss-parser's `parseString`, minus one trap: with xml2js in async mode, an exception its builders
 * throw inside xml2js's callback (a TypeError on an RDF without a channel) is swallowed and the
 * promise never settles. Here the builders run outside that callback, so every failure rejects.
 */
function parseDocument(parser: Parser<Fields, Fields>, text: string): Promise<RssParserOutput> {
  const internals = parser as unknown as RssParserInternals
  return new Promise<unknown>((resolve, reject) => {
    internals.xmlParser.parseString(text, (err, result) => (err ? reject(err) : resolve(result)))
  }).then((result) => buildFeed(internals, result))
}

/** The same choice of builder as rss-parser's parseString, RSS 2.0 being the default for an unversioned <rss>. */
function buildFeed(internals: RssParserInternals, result: unknown): RssParserOutput {
  if (!isObject(result)) throw new Error('Unable to parse XML.')
  const version = isObject(result.rss) && isObject(result.rss.$) ? result.rss.$.version : undefined
  if (result.feed) return internals.buildAtomFeed(result)
  if (typeof version === 'string' && /^2/.test(version)) return internals.buildRSS2(result)
  if (result['rdf:RDF']) return internals.buildRSS1(result)
  if (typeof version === 'string' && /0\.9/.test(version)) return internals.buildRSS0_9(result)
  if (result.rss) return internals.buildRSS2(result)
  throw new Error('Feed not recognized as RSS 1 or 2.')
}

/**
 * A well-formed document with a non-feed root is rejected by rss-parser with a plain Error, and its
 * builders choke with TypeError/RangeError on a feed of an unexpected shape (an RDF without a
 * channel); anything else comes from the XML parser itself.
 */
function toParseError(cause: unknown, root: string | undefined, url: string): ParseError {
  if (cause instanceof ParseError) return cause
  if (root !== undefined && !FEED_ROOTS.has(root)) {
    return new ParseError('E_PARSE_FORMAT', `not a feed: got an XML document with root <${root}> from ${url}`, {
      cause,
    })
  }
  const reason = cause instanceof Error ? flattenReason(cause.message) : String(cause)
  if (cause instanceof TypeError || cause instanceof RangeError) {
    return new ParseError('E_PARSE_FORMAT', `not a feed: unexpected feed structure in ${url}: ${reason}`, {
      cause,
    })
  }
  return new ParseError('E_PARSE_XML', `malformed XML in ${url}: ${reason}`, { cause })
}

/** sax reports `Unclosed root tag\nLine: 0\nColumn: 58\nChar: `; one line reads better in status. */
function flattenReason(message: string): string {
  return message
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'Char:')
    .join(', ')
}

function toParsedFeed(feed: RssParserOutput, format: FeedFormat, url: string): ParsedFeed {
  const baseUrl = resolveXmlBase(attributeOf(feed.feedloomAttrs, 'xml:base'), url)
  const entries = feed.items.slice(0, FEED_CAPS.maxEntries).map((item) => toRawEntry(item, format, baseUrl ?? url, baseUrl !== undefined))
  const link = alternateLinkOf(feed.feedloomLinks)
  return compact({
    title: textOf(feed.title),
    // Only here is the feed's xml:base known to be in scope for its own link.
    link: link === undefined ? undefined : (resolveXmlBase(link, baseUrl ?? url) ?? link),
    baseUrl,
    entries,
  })
}

function toRawEntry(item: Fields, format: FeedFormat, feedBase: string, feedHasBase: boolean): RawEntry {
  const inheritedBase = feedHasBase ? feedBase : undefined
  const baseUrl = resolveXmlBase(attributeOf(item.feedloomAttrs, 'xml:base'), feedBase) ?? inheritedBase
  const categories = categoriesOf([item.feedloomCategories, item.feedloomSubjects].flat())
  const fields = format === 'atom' ? atomFieldsOf(item) : rssFieldsOf(item)
  return compact({
    ...fields,
    link: alternateLinkOf(item.feedloomLinks),
    title: textOf(item.title),
    categories: categories.length > 0 ? categories : undefined,
    media: mediaOf(item.feedloomSource),
    baseUrl,
  })
}

function rssFieldsOf(item: Fields): RawEntry {
  return {
    guid: textOf(item.guid) ?? textOf(item['rdf:about']),
    content: textOf(item['content:encoded']),
    // rss-parser puts <description> in `content`.
    summary: textOf(item.content),
    author: textOf(item.creator) ?? textOf(item.author),
    published: textOf(item.pubDate) ?? textOf(item['dc:date']),
    updated: textOf(item.feedloomUpdated),
  }
}

function atomFieldsOf(item: Fields): RawEntry {
  const updated = textOf(item.feedloomUpdated)
  return {
    guid: textOf(item.id),
    content: textOf(item.content),
    summary: textOf(item.summary),
    author: textOf(item.author),
    published: textOf(item.feedloomPublished) ?? updated,
    updated,
  }
}

/** RFC 4287 §4.2.7.2: the entry's link is rel="alternate", which is also what a missing rel means. */
function alternateLinkOf(nodes: unknown): string | undefined {
  if (!Array.isArray(nodes)) return undefined
  for (const node of nodes) {
    const text = textOf(node)
    if (text !== undefined) return text
    const rel = attributeOf(attributesOf(node), 'rel')
    const href = attributeOf(attributesOf(node), 'href')
    if (href !== undefined && (rel === undefined || rel === 'alternate')) return href
  }
  return undefined
}

/** RSS `<category>`, RSS 1.0 `<dc:subject>` and Atom `<category term>`. */
function categoriesOf(nodes: unknown[]): string[] {
  const names = nodes.map((node) => (textOf(node) ?? attributeOf(attributesOf(node), 'term'))?.trim())
  return [...new Set(names.filter((name): name is string => name !== undefined && name !== ''))]
}

/** RSS `<source url>name</source>`, or the title of an Atom `<source>` feed. */
function mediaOf(nodes: unknown): string | undefined {
  if (!Array.isArray(nodes)) return undefined
  const node: unknown = nodes[0]
  const atomTitle = isObject(node) && Array.isArray(node.title) ? textOf(node.title[0]) : undefined
  return textOf(node) ?? atomTitle
}

function resolveXmlBase(base: string | undefined, against: string): string | undefined {
  if (base === undefined) return undefined
  try {
    return new URL(base.trim(), against).href
  } catch {
    return undefined
  }
}

/** Text of an xml2js node: a string, or `_` when the element also had attributes. Blank → undefined. */
function textOf(node: unknown): string | undefined {
  const text = typeof node === 'string' ? node : isObject(node) && typeof node._ === 'string' ? node._ : undefined
  return text === undefined || text.trim() === '' ? undefined : text
}

function attributesOf(node: unknown): unknown {
  return isObject(node) ? node.$ : undefined
}

function attributeOf(attributes: unknown, name: string): string | undefined {
  if (!isObject(attributes)) return undefined
  const value = attributes[name]
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T
}
