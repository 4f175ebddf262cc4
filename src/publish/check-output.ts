import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { OutputFormat } from './plan-feeds.js'

/** What the check needs from a generated document, whatever its format. */
interface DocumentFacts {
  selfLink?: string
  /** Every link a reader would follow: the feed's home page and each item's link. */
  links: string[]
  itemIds: string[]
  dates: string[]
}

type XmlNode = Record<string, unknown>

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => ['item', 'entry', 'link', 'atom:link'].includes(name),
})

const opmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => name === 'outline',
})

/** Problems that must keep a generated document from replacing the published one; empty when it may publish. */
export function checkOutput(format: OutputFormat, text: string): string[] {
  const facts = format === 'json' ? readJsonFeedFacts(text) : readXmlFacts(format, text)
  return typeof facts === 'string' ? [facts] : checkFacts(facts)
}

function checkFacts(facts: DocumentFacts): string[] {
  return [
    ...(facts.selfLink === undefined ? ['no self link'] : checkLinks([facts.selfLink])),
    ...checkLinks(facts.links),
    ...checkIds(facts.itemIds),
    ...facts.dates.filter((date) => Number.isNaN(Date.parse(date))).map((date) => `invalid date "${date}"`),
  ]
}

function checkLinks(links: string[]): string[] {
  return links.filter((link) => !isAbsoluteHttpUrl(link)).map((link) => `link is not absolute http(s): "${link}"`)
}

function checkIds(ids: string[]): string[] {
  const seen = new Set<string>()
  const problems: string[] = []
  for (const id of ids) {
    if (id === '') problems.push('empty item id')
    else if (seen.has(id)) problems.push(`duplicate item id "${id}"`)
    seen.add(id)
  }
  return problems
}

function isAbsoluteHttpUrl(link: string): boolean {
  return URL.canParse(link) && /^https?:$/.test(new URL(link).protocol)
}

function readXmlFacts(format: 'rss' | 'atom', text: string): DocumentFacts | string {
  const validation = XMLValidator.validate(text)
  if (validation !== true) {
    const { msg, line, col } = validation.err
    return `not well-formed XML: ${msg} (line ${line}, column ${col})`
  }
  const root = xmlParser.parse(text) as XmlNode
  return format === 'rss' ? readRssFacts(root) : readAtomFacts(root)
}

function readRssFacts(root: XmlNode): DocumentFacts | string {
  const channel = asNode(asNode(root.rss)?.channel)
  if (!channel) return 'not an RSS 2.0 document: no rss/channel'
  const items = asNodes(channel.item)
  return {
    selfLink: findLinkHref(asNodes(channel['atom:link']), 'self'),
    links: [channel.link, ...items.map((item) => item.link)].flatMap(textsOf),
    itemIds: items.map((item) => textOf(item.guid) ?? ''),
    dates: [channel.lastBuildDate, ...items.map((item) => item.pubDate)].flatMap(textsOf),
  }
}

function readAtomFacts(root: XmlNode): DocumentFacts | string {
  const feed = asNode(root.feed)
  if (!feed) return 'not an Atom document: no feed element'
  const entries = asNodes(feed.entry)
  return {
    selfLink: findLinkHref(asNodes(feed.link), 'self'),
    links: [feed, ...entries].flatMap((node) => hrefsOf(asNodes(node.link))),
    itemIds: entries.map((entry) => textOf(entry.id) ?? ''),
    dates: [feed.updated, ...entries.flatMap((entry) => [entry.updated, entry.published])].flatMap(textsOf),
  }
}

function readJsonFeedFacts(text: string): DocumentFacts | string {
  let feed: unknown
  try {
    feed = JSON.parse(text)
  } catch (err) {
    return `not valid JSON: ${err instanceof Error ? err.message : String(err)}`
  }
  if (!asNode(feed)) return 'not a JSON Feed: not an object'
  const document = feed as XmlNode
  const items = Array.isArray(document.items) ? document.items.map((item) => asNode(item) ?? {}) : []
  return {
    selfLink: typeof document.feed_url === 'string' ? document.feed_url : undefined,
    links: [document.home_page_url, ...items.map((item) => item.url)].flatMap(textsOf),
    itemIds: items.map((item) => (typeof item.id === 'string' ? item.id : '')),
    dates: items.flatMap((item) => [item.date_published, item.date_modified]).flatMap(textsOf),
  }
}

function findLinkHref(links: XmlNode[], rel: string): string | undefined {
  const href = links.find((link) => link['@_rel'] === rel)?.['@_href']
  return typeof href === 'string' ? href : undefined
}

/** Atom: every `link` except rel="self" (checked on its own). */
function hrefsOf(links: XmlNode[]): string[] {
  return links.filter((link) => link['@_rel'] !== 'self').flatMap((link) => textsOf(link['@_href']))
}

function asNode(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined
}

function asNodes(value: unknown): XmlNode[] {
  if (!Array.isArray(value)) return []
  return value.map(asNode).filter((node) => node !== undefined)
}

/** Text of an element parsed with or without attributes (`<guid isPermaLink="false">` is an object). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  const text = asNode(value)?.['#text']
  return typeof text === 'string' ? text : undefined
}

/** Zero or more texts: RSS `link` is parsed as an array because Atom's must be. */
function textsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).flatMap((one) => textOf(one) ?? [])
}

/** Front matter lines a post must have, in this order, each on one line. */
const JEKYLL_FRONT_MATTER_KEYS = ['layout', 'title', 'date', 'categories', 'tags']

/** Problems that must keep a Jekyll post from replacing the published one: front matter that spills over its lines. */
export function checkJekyllPost(text: string): string[] {
  const lines = text.split('\n', JEKYLL_FRONT_MATTER_KEYS.length + 2)
  if (lines[0] !== '---' || lines[JEKYLL_FRONT_MATTER_KEYS.length + 1] !== '---') return ['front matter is not the expected block between --- lines']
  return JEKYLL_FRONT_MATTER_KEYS.flatMap((key, i) =>
    lines[i + 1]?.startsWith(`${key}: `) ? [] : [`front matter line ${i + 2} is not "${key}: …"`],
  )
}

/** Problems that must keep an HTML page from replacing the published one. */
export function checkHtmlPage(text: string, escapedTitle: string): string[] {
  const problems: string[] = []
  if (text.trim() === '') problems.push('empty page')
  if (!text.includes(`<title>${escapedTitle}</title>`)) problems.push(`title "${escapedTitle}" missing`)
  // Every text is escaped and the pages need no JavaScript, so a script tag can only be a leak.
  if (/<script/i.test(text)) problems.push('page contains a script element')
  return problems
}

/** Problems that must keep an OPML list from replacing the published one: well-formed OPML 2.0 whose feeds have absolute URLs. */
export function checkOpml(text: string): string[] {
  const validation = XMLValidator.validate(text)
  if (validation !== true) {
    const { msg, line, col } = validation.err
    return [`not well-formed XML: ${msg} (line ${line}, column ${col})`]
  }
  const opml = asNode((opmlParser.parse(text) as XmlNode).opml)
  if (!opml || opml['@_version'] !== '2.0') return ['not an OPML 2.0 document']
  const outlines = collectOutlines(asNode(opml.body))
  return outlines.flatMap((outline) =>
    typeof outline['@_xmlUrl'] === 'string' ? checkLinks([outline['@_xmlUrl']]) : [`outline "${String(outline['@_text'])}" has no xmlUrl`],
  )
}

/** Leaf outlines (the feeds), at any depth. */
function collectOutlines(node: XmlNode | undefined): XmlNode[] {
  return asNodes(node?.outline).flatMap((outline) => (outline.outline === undefined ? [outline] : collectOutlines(outline)))
}
