import { createRequire } from 'node:module'
import type { Readability as ReadabilityClass } from '@mozilla/readability'
import type { parseHTML as ParseHtml } from 'linkedom'
import { ParseError } from '../../errors.js'
import { dropUndefined } from '../../object/drop-undefined.js'
import type { RawEntry } from '../../types.js'

/** CSS selectors that override what is found by default; a selector that matches nothing is ignored. */
export interface ArticleSelectors {
  title?: string
  published?: string
  media?: string
  content?: string
}

/** The little of the DOM this module reads; linkedom ships no DOM lib types we could use here. */
interface DomElement {
  readonly textContent: string | null
  readonly innerHTML: string
  getAttribute(name: string): string | null
}

interface DomDocument {
  readonly documentElement: DomElement | null
  querySelector(selector: string): DomElement | null
  querySelectorAll(selector: string): Iterable<DomElement>
}

/**
 * linkedom and @mozilla/readability cost a few hundred ms of CPU to load and only share pages and
 * full-text fetching use them, so they are loaded on first use rather than at startup. Both ship
 * CommonJS builds, so the load is a synchronous require and extractArticle stays synchronous.
 */
const requireCjs = createRequire(import.meta.url)
let parseHTMLModule: typeof ParseHtml | undefined
let readabilityModule: typeof ReadabilityClass | undefined

function loadParseHTML(): typeof ParseHtml {
  parseHTMLModule ??= (requireCjs('linkedom') as { parseHTML: typeof ParseHtml }).parseHTML
  return parseHTMLModule
}

function loadReadability(): typeof ReadabilityClass {
  readabilityModule ??= (requireCjs('@mozilla/readability') as { Readability: typeof ReadabilityClass }).Readability
  return readabilityModule
}

/** Meta tags naming the publish time, most specific first (Open Graph, Dublin Core, Chinese CMSs). */
const PUBLISHED_META = [
  'meta[property="article:published_time"]',
  'meta[name="article:published_time"]',
  'meta[itemprop="datePublished"]',
  'meta[name="publishdate"]',
  'meta[name="PublishDate"]',
  'meta[name="pubdate"]',
  'meta[name="dc.date"]',
  'meta[name="DC.date"]',
  'meta[name="date"]',
  'meta[property="og:release_date"]',
]

/** A wall-clock time printed in a page header: `2022-01-11 13:35:18`, `2022年01月11日 13:35`. */
const PRINTED_TIME = /\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2}(?::\d{2})?/

/** `来源：每日经济新闻`, `文章来源: 证券时报`, as Chinese news pages print their source. */
const PRINTED_SOURCE = /来源\s*[：:]\s*([^\s）)】\]|｜,，;；<>]{1,40})/

/**
 * An article page → title, publish time, media outlet and body HTML. Defaults come from meta
 * tags, `<title>`/`<h1>` and @mozilla/readability over a linkedom DOM; `selectors` win for the
 * fields they match. The caller sets link, identity and share link. Never fetches. Parsing can
 * take seconds and gigabytes on a hostile page: pages from the network go through
 * createArticleExtractor, which checks checkPageLimits and runs this on a worker thread.
 * @throws ParseError E_PARSE_EXTRACT naming `url` when no title or no body can be found
 */
export function extractArticle(html: string, url: string, selectors: ArticleSelectors = {}): RawEntry {
  const parseHTML = loadParseHTML()
  let document: DomDocument
  try {
    document = parseHTML(html).document as unknown as DomDocument
  } catch (cause) {
    throw new ParseError('E_PARSE_EXTRACT', `cannot extract an article from ${url}: unreadable HTML`, { cause })
  }
  if (document.documentElement === null) {
    throw new ParseError('E_PARSE_EXTRACT', `cannot extract an article from ${url}: not an HTML page`)
  }
  // Readability rewrites the document it reads, so everything else is read first.
  const title =
    textOf(document, selectors.title) ??
    metaOf(document, ['meta[property="og:title"]', 'meta[name="og:title"]']) ??
    textOf(document, 'title') ??
    textOf(document, 'h1')
  const published =
    timeOf(document, selectors.published) ?? metaOf(document, PUBLISHED_META) ?? timeOf(document, 'time[datetime]')
  const printed = printedFacts(document)
  // The outlet that wrote the story beats the site showing it: a portal's share page names
  // itself in og:site_name but prints the original outlet as 来源.
  const media =
    textOf(document, selectors.media) ??
    metaOf(document, ['meta[name="source"]', 'meta[name="Source"]']) ??
    printed.media ??
    metaOf(document, ['meta[property="og:site_name"]'])
  const selected = selectors.content === undefined ? undefined : htmlOf(document, selectors.content)
  const readable = selected === undefined ? readArticle(document, url) : undefined
  const content = selected ?? readable?.content
  const resolvedTitle = title ?? readable?.title
  if (resolvedTitle === undefined || content === undefined) {
    const missing = [resolvedTitle === undefined ? 'title' : undefined, content === undefined ? 'body' : undefined]
      .filter(Boolean)
      .join(' or ')
    throw new ParseError('E_PARSE_EXTRACT', `cannot extract an article from ${url}: no ${missing} found`)
  }
  return dropUndefined({
    title: resolvedTitle,
    published: published ?? readable?.publishedTime ?? printed.published,
    media,
    content,
  })
}

interface ReadableArticle {
  title?: string
  content?: string
  publishedTime?: string
}

function readArticle(document: DomDocument, url: string): ReadableArticle | undefined {
  const Readability = loadReadability()
  let article: ReturnType<ReadabilityClass['parse']>
  try {
    // Readability's typings name the DOM lib's Document, which this project does not load.
    article = new Readability(document as ConstructorParameters<typeof ReadabilityClass>[0]).parse()
  } catch (cause) {
    throw new ParseError('E_PARSE_EXTRACT', `cannot extract an article from ${url}: ${String(cause)}`, { cause })
  }
  if (article === null) return undefined
  const hasText = (article.textContent ?? '').trim() !== ''
  return dropUndefined({
    title: clean(article.title ?? undefined),
    content: hasText ? (article.content ?? undefined) : undefined,
    publishedTime: clean(article.publishedTime ?? undefined),
  })
}

/** Facts printed in the page text rather than marked up: the 来源 line and a header time. */
function printedFacts(document: DomDocument): { media?: string; published?: string } {
  const text = separatedTextOf(document.querySelector('body') ?? document.documentElement)
  return dropUndefined({
    media: clean(PRINTED_SOURCE.exec(text)?.[1]),
    published: clean(PRINTED_TIME.exec(text)?.[0]),
  })
}

/**
 * The element's text with every tag turned into a line break: textContent runs adjacent elements
 * together (`来源：每日经济新闻</span><p>1月10日` would read as one outlet name).
 */
function separatedTextOf(element: DomElement | null): string {
  return (element?.innerHTML ?? '')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '\n')
    .replace(/&nbsp;|&#160;/g, ' ')
}

function metaOf(document: DomDocument, selectors: readonly string[]): string | undefined {
  for (const selector of selectors) {
    const value = clean(document.querySelector(selector)?.getAttribute('content') ?? undefined)
    if (value !== undefined) return value
  }
  return undefined
}

function textOf(document: DomDocument, selector: string | undefined): string | undefined {
  return clean(select(document, selector)?.textContent ?? undefined)
}

/** A time element's `datetime`, a meta's `content`, else the element's text. */
function timeOf(document: DomDocument, selector: string | undefined): string | undefined {
  const element = select(document, selector)
  if (element === undefined) return undefined
  return (
    clean(element.getAttribute('datetime') ?? undefined) ??
    clean(element.getAttribute('content') ?? undefined) ??
    clean(element.textContent ?? undefined)
  )
}

function htmlOf(document: DomDocument, selector: string): string | undefined {
  const element = select(document, selector)
  if (element === undefined || clean(element.textContent ?? undefined) === undefined) return undefined
  return element.innerHTML
}

/** The first match; an invalid selector matches nothing (the config schema cannot check CSS syntax). */
function select(document: DomDocument, selector: string | undefined): DomElement | undefined {
  if (selector === undefined) return undefined
  try {
    return document.querySelector(selector) ?? undefined
  } catch {
    return undefined
  }
}

function clean(text: string | undefined): string | undefined {
  const cleaned = text?.replace(/\s+/g, ' ').trim()
  return cleaned === undefined || cleaned === '' ? undefined : cleaned
}

