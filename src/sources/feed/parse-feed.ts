import { ParseError } from '../../errors.js'
import type { ParsedFeed } from '../../types.js'
import { parseXml, type XmlElement, XmlSyntaxError } from './parse-xml.js'
import { readProlog } from './read-prolog.js'
import { stripInvalidXml } from './strip-invalid-xml.js'
import { type FeedFormat, toParsedFeed } from './to-parsed-feed.js'

export interface ParseFeedOptions {
  /** The URL the text was fetched from; the base for the feed's own xml:base. */
  url: string
}

/** Document elements by name as written: a prefixed `<atom:feed>` is not read, as before. */
const FEED_ROOTS = new Map<string, FeedFormat>([
  ['rss', 'rss'],
  ['rdf:RDF', 'rdf'],
  ['feed', 'atom'],
])

/**
 * Feed, RSS 0.9x/1.0/2.0 or Atom 1.0 text → raw entries. Never fetches, and never reads anything
 * through an entity: a document declaring entities is refused before parsing, and parseXml reads
 * no DTD anyway (no file, URL or billion laughs). Every entry is returned: the caller caps
 * them (capFeed), so it can tell how many there were.
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
  const root = await parseDocument(cleaned, cleaned.length - rest.length, options.url)
  const format = FEED_ROOTS.get(root.name)
  if (format === undefined) throw notAFeed(`an XML document with root <${root.name}>`, options.url)
  return toParsedFeed(root, format, options.url)
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
  return root === undefined || FEED_ROOTS.has(root) ? undefined : `an XML document with root <${root}>`
}

async function parseDocument(text: string, start: number, url: string): Promise<XmlElement> {
  try {
    return await parseXml(text, start)
  } catch (cause) {
    if (cause instanceof XmlSyntaxError) throw new ParseError('E_PARSE_XML', `malformed XML in ${url}: ${cause.message}`, { cause })
    throw cause
  }
}

function notAFeed(what: string, url: string): ParseError {
  return new ParseError('E_PARSE_FORMAT', `not a feed: got ${what} from ${url}`)
}
