import { XmlSyntaxError } from '../errors.js'
import { parseXmlSync, type XmlElement } from '../xml/parse-xml.js'
import { readProlog } from '../xml/read-prolog.js'
import type { OutputFormat } from './plan-feeds.js'

/** What the check needs from a generated document, whatever its format. */
interface DocumentFacts {
  selfLink?: string
  /** Every link a reader would follow: the feed's home page and each item's link. */
  links: string[]
  itemIds: string[]
  dates: string[]
}

type JsonNode = Record<string, unknown>

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
  const root = readXml(text)
  if (typeof root === 'string') return root
  return format === 'rss' ? readRssFacts(root) : readAtomFacts(root)
}

/** The document element, or why the text is not well-formed XML. */
function readXml(text: string): XmlElement | string {
  const { rest } = readProlog(text)
  try {
    return parseXmlSync(text, text.length - rest.length)
  } catch (err) {
    if (err instanceof XmlSyntaxError) return `not well-formed XML: ${err.message}`
    throw err
  }
}

function readRssFacts(root: XmlElement): DocumentFacts | string {
  const channel = root.name === 'rss' ? childrenNamed(root, 'channel')[0] : undefined
  if (!channel) return 'not an RSS 2.0 document: no rss/channel'
  const items = childrenNamed(channel, 'item')
  return {
    selfLink: findLinkHref(childrenNamed(channel, 'atom:link'), 'self'),
    links: [channel, ...items].flatMap((node) => textsOf(node, 'link')),
    itemIds: items.map((item) => textsOf(item, 'guid')[0] ?? ''),
    dates: [...textsOf(channel, 'lastBuildDate'), ...items.flatMap((item) => textsOf(item, 'pubDate'))],
  }
}

function readAtomFacts(root: XmlElement): DocumentFacts | string {
  if (root.name !== 'feed') return 'not an Atom document: no feed element'
  const entries = childrenNamed(root, 'entry')
  return {
    selfLink: findLinkHref(childrenNamed(root, 'link'), 'self'),
    links: [root, ...entries].flatMap((node) => hrefsOf(childrenNamed(node, 'link'))),
    itemIds: entries.map((entry) => textsOf(entry, 'id')[0] ?? ''),
    dates: [root, ...entries].flatMap((node) => [...textsOf(node, 'updated'), ...textsOf(node, 'published')]),
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
  const document = feed as JsonNode
  const items = Array.isArray(document.items) ? document.items.map((item) => asNode(item) ?? {}) : []
  return {
    selfLink: typeof document.feed_url === 'string' ? document.feed_url : undefined,
    links: [document.home_page_url, ...items.map((item) => item.url)].flatMap(jsonTextsOf),
    itemIds: items.map((item) => (typeof item.id === 'string' ? item.id : '')),
    dates: items.flatMap((item) => [item.date_published, item.date_modified]).flatMap(jsonTextsOf),
  }
}

function findLinkHref(links: XmlElement[], rel: string): string | undefined {
  return links.find((link) => link.attributes.rel === rel)?.attributes.href
}

/** Atom: every `link` except rel="self" (checked on its own). */
function hrefsOf(links: XmlElement[]): string[] {
  return links.filter((link) => link.attributes.rel !== 'self').flatMap((link) => link.attributes.href ?? [])
}

function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}

/** The trimmed text of each `name` child of `element`. */
function textsOf(element: XmlElement, name: string): string[] {
  return childrenNamed(element, name).map((child) => child.children.filter((part) => typeof part === 'string').join('').trim())
}

function asNode(value: unknown): JsonNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonNode) : undefined
}

/** Zero or more texts: a JSON Feed field that is not a string is left out. */
function jsonTextsOf(value: unknown): string[] {
  return typeof value === 'string' ? [value] : []
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
  const root = readXml(text)
  if (typeof root === 'string') return [root]
  if (root.name !== 'opml' || root.attributes.version !== '2.0') return ['not an OPML 2.0 document']
  const outlines = collectOutlines(childrenNamed(root, 'body')[0])
  return outlines.flatMap((outline) =>
    outline.attributes.xmlUrl !== undefined ? checkLinks([outline.attributes.xmlUrl]) : [`outline "${String(outline.attributes.text)}" has no xmlUrl`],
  )
}

/** Leaf outlines (the feeds), at any depth. */
function collectOutlines(node: XmlElement | undefined): XmlElement[] {
  return childrenNamed(node, 'outline').flatMap((outline) => {
    const inner = childrenNamed(outline, 'outline')
    return inner.length === 0 ? [outline] : collectOutlines(outline)
  })
}
