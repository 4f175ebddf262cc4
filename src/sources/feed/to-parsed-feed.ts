import { ParseError } from '../../errors.js'
import type { ParsedFeed, RawEntry } from '../../types.js'
import { CAPS } from '../../caps.js'
import type { XmlElement } from './parse-xml.js'
import { serializeContent } from './serialize-content.js'

export type FeedFormat = 'rss' | 'rdf' | 'atom'

/**
 * The document element of a feed → its raw entries. Elements are found by their name as written
 * (`dc:date`, `content:encoded`), the first of each kind counts, and text is the element's own
 * text: as rss-parser read them, so entries keep the fields, and the identities, they had. Fields
 * left undefined are dropped by capFeed, in one pass.
 */
export function toParsedFeed(root: XmlElement, format: FeedFormat, url: string): ParsedFeed {
  // RSS 1.0 keeps its items beside the channel, RSS 0.9x/2.0 inside it; Atom has no channel.
  const channel = format === 'atom' ? root : childNamed(root, 'channel')
  if (channel === undefined) throw new ParseError('E_PARSE_FORMAT', `not a feed: <${root.name}> without a <channel> in ${url}`)
  const items = childrenNamed(format === 'rss' ? channel : root, format === 'atom' ? 'entry' : 'item')
  const baseUrl = resolveXmlBase(attributeOf(channel, 'xml:base'), url)
  const link = alternateLinkOf(childrenNamed(channel, 'link'))
  return {
    title: textOf(format === 'atom' ? childNamed(channel, 'title') : titleElementOf(channel)),
    // Only here is the feed's xml:base known to be in scope for its own link.
    link: link === undefined ? undefined : (resolveXmlBase(link, baseUrl ?? url) ?? link),
    baseUrl,
    entries: items.map((item) => toRawEntry(item, format === 'atom', baseUrl ?? url, baseUrl !== undefined)),
  }
}

/** Each field as RSS 0.9x/1.0/2.0 or Atom names it. */
function toRawEntry(item: XmlElement, atom: boolean, feedBase: string, feedHasBase: boolean): RawEntry {
  const updated = textOf(childNamed(item, 'updated'))
  const categories = categoriesOf([...childrenNamed(item, 'category'), ...childrenNamed(item, 'dc:subject')])
  return {
    guid: atom ? textOf(childNamed(item, 'id')) : (textOf(childNamed(item, 'guid')) ?? attributeOf(item, 'rdf:about')),
    link: alternateLinkOf(childrenNamed(item, 'link')),
    title: textOf(atom ? childNamed(item, 'title') : titleElementOf(item)),
    content: contentOf(childNamed(item, atom ? 'content' : 'content:encoded')),
    summary: contentOf(childNamed(item, atom ? 'summary' : 'description')),
    // Atom: only the first author counts, and only by its <name>.
    author: atom
      ? textOf(childNamed(childNamed(item, 'author'), 'name'))
      : (textOf(childNamed(item, 'dc:creator')) ?? textOf(childNamed(item, 'author'))),
    // Dates are kept as written: rss-parser's `toISOString()` threw on one bad Atom date and lost the feed.
    published: atom
      ? (textOf(childNamed(item, 'published')) ?? updated)
      : (textOf(childNamed(item, 'pubDate')) ?? textOf(childNamed(item, 'dc:date'))),
    updated,
    categories: categories.length > 0 ? categories : undefined,
    media: mediaOf(childNamed(item, 'source')),
    baseUrl: resolveXmlBase(attributeOf(item, 'xml:base'), feedBase) ?? (feedHasBase ? feedBase : undefined),
  }
}

/** An RSS `<title>`, even an empty one, else Dublin Core's. */
function titleElementOf(element: XmlElement): XmlElement | undefined {
  return childNamed(element, 'title') ?? childNamed(element, 'dc:title')
}

/** RFC 4287 §4.2.7.2: the entry's link is rel="alternate", which is also what a missing rel means. */
function alternateLinkOf(links: XmlElement[]): string | undefined {
  for (const link of links) {
    const text = textOf(link)
    if (text !== undefined) return text
    const rel = attributeOf(link, 'rel')
    const href = attributeOf(link, 'href')
    if (href !== undefined && (rel === undefined || rel === 'alternate')) return href
  }
  return undefined
}

/** RSS `<category>`, RSS 1.0 `<dc:subject>` and Atom `<category term>`. */
function categoriesOf(elements: XmlElement[]): string[] {
  const names = elements.map((element) => (textOf(element) ?? attributeOf(element, 'term'))?.trim())
  return [...new Set(names.filter((name): name is string => name !== undefined && name !== ''))]
}

/** RSS `<source url>name</source>`, or the title of an Atom `<source>` feed. */
function mediaOf(source: XmlElement | undefined): string | undefined {
  return textOf(source) ?? textOf(childNamed(source, 'title'))
}

function resolveXmlBase(base: string | undefined, against: string): string | undefined {
  if (base === undefined) return undefined
  try {
    return new URL(base.trim(), against).href
  } catch {
    return undefined
  }
}

/**
 * Content, summary and description: their text, or their markup when they hold elements (Atom
 * type="xhtml", or HTML a feed did not escape). rss-parser rebuilt such markup grouped by tag name,
 * text first, or dropped it when the element also had text; here it keeps its order.
 */
function contentOf(element: XmlElement | undefined): string | undefined {
  if (element === undefined || !element.children.some((child) => typeof child !== 'string')) return textOf(element)
  return nonBlank(serializeContent(element, CAPS.maxContentChars))
}

/** The element's own text, CDATA included, without that of its child elements. Blank → undefined. */
function textOf(element: XmlElement | undefined): string | undefined {
  if (element === undefined) return undefined
  let text = ''
  for (const child of element.children) if (typeof child === 'string') text += child
  return nonBlank(text)
}

function attributeOf(element: XmlElement, name: string): string | undefined {
  return nonBlank(element.attributes[name])
}

function childNamed(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}

function nonBlank(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text
}
