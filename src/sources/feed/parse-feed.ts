import { ParseError, XmlSyntaxError } from '../../errors.js'
import type { ParsedFeed } from '../../types.js'
import { parseXml, type XmlElement } from '../../xml/parse-xml.js'
import { readProlog } from '../../xml/read-prolog.js'
import { stripInvalidXml } from '../../xml/strip-invalid-xml.js'
import { feedFormatOf, toParsedFeed } from './to-parsed-feed.js'

export interface ParseFeedOptions {
  /** The URL the text was fetched from; the base for the feed's own xml:base. */
  url: string
}

/** Local names of feed document elements; which namespace makes them one is told after parsing. */
const FEED_ROOT_NAMES = new Set(['rss', 'RDF', 'feed'])

/**
 * Feed, RSS 0.9x/1.0/2.0 or Atom 1.0/0.3 text → raw entries. Never fetches, and never reads
 * anything through an entity: a document declaring entities is refused before parsing, and
 * parseXml reads no DTD anyway (no file, URL or billion laughs). Every entry is returned: the
 * caller caps them (capFeed), so it can tell how many there were. A document the strict reader refuses is read again leniently (a bare `&`, a stray
 * end tag, a truncated end), as forgiving readers do; the result says why in `recovered`.
 */
export async function parseFeed(text: string, options: ParseFeedOptions): Promise<ParsedFeed> {
  const cleaned = stripInvalidXml(text).replace(/^\uFEFF/, '')
  const { doctype, rest } = readProlog(cleaned)
  const nonFeed = describeNonFeed(doctype, rest)
  if (nonFeed !== undefined) throw notAFeed(nonFeed, options.url)
  if (doctype !== undefined && /<!ENTITY/i.test(doctype)) {
    throw new ParseError(
      'E_PARSE_XML',
      `refused XML in ${options.url}: its DOCTYPE declares entities, which feedloom never expands (XXE, entity expansion)`,
    )
  }
  const start = cleaned.length - rest.length
  let root: XmlElement
  try {
    root = await parseXml(cleaned, start)
  } catch (cause) {
    if (!(cause instanceof XmlSyntaxError)) throw cause
    const strictError = new ParseError('E_PARSE_XML', `malformed XML in ${options.url}: ${cause.message}`, { cause })
    const recovered = await recoverFeed(cleaned, start, options.url)
    if (recovered === undefined) throw strictError
    return { ...recovered, recovered: cause.message }
  }
  return readFeed(root, options.url)
}

function readFeed(root: XmlElement, url: string): ParsedFeed {
  const found = feedFormatOf(root)
  if (found === undefined) throw notAFeed(`an XML document with root <${root.name}>`, url)
  return toParsedFeed(root, found.format, found.scope, url)
}

/** The lenient read: a feed with at least one entry, else undefined (the strict error stands). */
async function recoverFeed(text: string, start: number, url: string): Promise<ParsedFeed | undefined> {
  try {
    const feed = readFeed(await parseXml(text, start, { lenient: true }), url)
    return feed.entries.length > 0 ? feed : undefined
  } catch {
    return undefined
  }
}

/**
 * What a document that is plainly not XML, an HTML page, or XML with another root than a feed's
 * is; undefined for anything else. Told from the start of the document element, so a malformed
 * or huge document of another kind is not parsed to find out.
 */
function describeNonFeed(doctype: string | undefined, rest: string): string | undefined {
  const start = rest.trimStart()
  if (start === '' && doctype === undefined) return 'an empty document'
  if (start.startsWith('{') || start.startsWith('[')) return 'a JSON document'
  if (start !== '' && !start.startsWith('<')) return 'plain text'
  const root = /^<([A-Za-z_\u00C0-\uFFFD][^\s/>"'=<]*)(?=[\s/>])/.exec(start)?.[1]
  const isHtml = /^<!doctype\s+html/i.test(doctype ?? '') || ['html', 'head', 'body'].includes(root?.toLowerCase() ?? '')
  if (isHtml) return 'an HTML page'
  return root === undefined || FEED_ROOT_NAMES.has(root.slice(root.indexOf(':') + 1)) ? undefined : `an XML document with root <${root}>`
}

function notAFeed(what: string, url: string): ParseError {
  return new ParseError('E_PARSE_FORMAT', `not a feed: got ${what} from ${url}`)
}
