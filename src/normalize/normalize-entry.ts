import { createHash } from 'node:crypto'
import { dropUndefined } from '../object/drop-undefined.js'
import { cleanText, collapseWhitespace } from '../text/clean-text.js'
import { htmlToText } from '../text/html-to-text.js'
import type { DroppedEntry, NormalizedEntry, RawEntry } from '../types.js'
import { slugifyCategory } from './category-slug.js'
import { identifyEntry } from './identify-entry.js'
import { normalizeDate } from './normalize-date.js'
import { normalizeEnclosures } from './normalize-enclosures.js'
import { hasScheme, resolveUrl } from './resolve-url.js'
import { sanitizeContent } from './sanitize-content.js'

export interface NormalizeContext {
  sourceId: string
  /** The URL the feed was fetched from (effective, after redirects). */
  feedUrl: string
  /** ParsedFeed.link: the site the feed describes. */
  feedLink?: string
  /** ParsedFeed.baseUrl: the feed element's xml:base, already absolute. */
  feedBaseUrl?: string
  /** Used as the media name when the entry has none. */
  feedTitle?: string
  /** The source's configured category; wins over the media-derived one when set. */
  category?: string
  /** IANA zone for dates that carry no offset. */
  timezone: string
  now: Date
  /** How far past `now` a date may lie before it is refused. @default 86_400_000 (1 day) */
  futureToleranceMs?: number
  /**
   * Category slugs of media names (mediaNamesOf), made on another thread: a parse thread then
   * never loads the romanizer. A name missing from it is slugified here. @default none
   */
  slugs?: ReadonlyMap<string, string>
}

const DEFAULT_FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000

/** Longest title made from an untitled entry's text, in characters. */
const DERIVED_TITLE_CHARS = 80

/**
 * One raw entry → a clean entry with absolute links, ISO instants, safe HTML, a key and a category.
 * An entry without an http(s) link is kept (its guid, a `tag:`/`urn:` link or a hash of its text
 * names it); only one with neither a title nor any text is dropped.
 */
export function normalizeEntry(raw: RawEntry, ctx: NormalizeContext): NormalizedEntry | DroppedEntry {
  const head = normalizeEntryHead(raw, ctx)
  return isDropped(head) ? head : withBodies(head, raw)
}

/** An entry normalized but for its content and summary, which sanitizing makes the costliest part. */
export interface EntryHead {
  /** Without `content`, `summary` and `contentHash`. */
  entry: NormalizedEntry
  /** Hash of the raw content and the base of its links: equal hashes give equal sanitized content. Absent without content. */
  contentHash?: string
  contentBase: string
}

/** normalizeEntry without the bodies: identity, links, dates, category. */
export function normalizeEntryHead(raw: RawEntry, ctx: NormalizeContext): EntryHead | DroppedEntry {
  const bases = basesOf(raw, ctx)
  const link = linkOf(raw, bases)
  const title = titleOf(raw)
  if (title === undefined) return { sourceId: ctx.sourceId, reason: noTitleReason(raw, link) }

  const guid = cleanLine(raw.guid)
  const shareLink = resolveUrl(raw.shareLink, bases)
  const published = cleanLine(raw.published)
  const identity = identifyEntry({
    sourceId: ctx.sourceId,
    infoCode: cleanLine(raw.infoCode),
    link,
    guid,
    linkId: link === undefined ? linkIdOf(raw.link) : undefined,
    shareLink,
    title,
    published,
    body: raw.content ?? raw.summary,
  })
  const dateOptions = {
    timezone: ctx.timezone,
    now: ctx.now,
    futureToleranceMs: ctx.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS,
  }
  const contentBase = bases[0] ?? ctx.feedUrl
  const media = mediaOf(raw, ctx)
  const entry = dropUndefined({
    key: identity.key,
    aliases: identity.aliases,
    sourceId: ctx.sourceId,
    title,
    link,
    author: cleanLine(raw.author),
    enclosures: normalizeEnclosures(raw.enclosures, bases),
    published: normalizeDate(published, dateOptions),
    updated: normalizeDate(cleanLine(raw.updated), dateOptions),
    ...categoryOf(media, ctx),
    categories: categoriesOf(raw.categories),
    infoCode: identity.infoCode,
    media,
    shareLink,
  })
  return raw.content === undefined ? { entry, contentBase } : { entry, contentHash: hashContent(raw.content, contentBase), contentBase }
}

/** The head with its content and summary sanitized, and the hash they came from. */
export function withBodies({ entry, contentHash, contentBase }: EntryHead, raw: RawEntry): NormalizedEntry {
  const content = raw.content === undefined ? undefined : sanitizeContent(raw.content, contentBase)
  const summary = raw.summary === undefined ? undefined : sanitizeContent(raw.summary, contentBase)
  return dropUndefined({ ...entry, content, summary, contentHash: content === undefined ? undefined : contentHash })
}

function hashContent(content: string, contentBase: string): string {
  return createHash('sha256').update(`${contentBase}\0${content}`).digest('base64url')
}

export function isDropped<T extends object>(entry: T | DroppedEntry): entry is DroppedEntry {
  return 'reason' in entry
}

/**
 * Bases for relative URLs, most specific first (item, then feed, then feed URL):
 * the entry's xml:base, the feed's xml:base, the feed's site link, the URL it was fetched from.
 */
function basesOf(raw: RawEntry, ctx: NormalizeContext): string[] {
  const feedLink = resolveUrl(ctx.feedLink, [ctx.feedBaseUrl, ctx.feedUrl])
  const candidates = [raw.baseUrl, ctx.feedBaseUrl, feedLink, ctx.feedUrl]
  return candidates
    .map((candidate) => resolveUrl(candidate, []))
    .filter((base): base is string => base !== undefined)
}

/** The entry's link; without one, a URL guid (RSS 2.0 isPermaLink) or its share link stands in. */
function linkOf(raw: RawEntry, bases: string[]): string | undefined {
  if (cleanLine(raw.link) !== undefined) return resolveUrl(raw.link, bases)
  return resolveUrl(urlGuidOf(raw.guid), []) ?? resolveUrl(raw.shareLink, bases)
}

function urlGuidOf(guid: string | undefined): string | undefined {
  const trimmed = guid?.trim()
  return trimmed !== undefined && /^https?:\/\//i.test(trimmed) ? trimmed : undefined
}

/**
 * A link that is an absolute URI of another scheme than http(s) (`tag:`, `urn:`): an id, never a
 * clickable link. Schemes that run or embed something (`javascript:void(0)`) name nothing.
 */
function linkIdOf(rawLink: string | undefined): string | undefined {
  const link = cleanLine(rawLink)
  return link !== undefined && hasScheme(link) && !/^(?:https?|javascript|vbscript|data|about|blob|file):/i.test(link) ? link : undefined
}

function noTitleReason(raw: RawEntry, link: string | undefined): string {
  const what = link ?? cleanLine(raw.guid) ?? cleanLine(raw.link)
  return what === undefined ? 'no title or text: entry has neither a title, a summary nor content' : `no title or text: ${what}`
}

/** Plain-text title; an untitled entry is named after the start of its summary or content. */
function titleOf(raw: RawEntry): string | undefined {
  const title = plainTextOf(raw.title)
  if (title !== undefined) return title
  const text = plainTextOf(raw.summary) ?? plainTextOf(raw.content)
  if (text === undefined) return undefined
  const chars = Array.from(text)
  return chars.length <= DERIVED_TITLE_CHARS ? text : `${chars.slice(0, DERIVED_TITLE_CHARS).join('')}…`
}

function plainTextOf(html: string | undefined): string | undefined {
  const text = html === undefined ? '' : htmlToText(html)
  return text === '' ? undefined : text
}

/** The media names whose slugs normalizing `raws` makes into categories, each once. */
export function mediaNamesOf(raws: readonly RawEntry[], ctx: NormalizeContext): string[] {
  if (ctx.category) return []
  const names = new Set<string>()
  for (const raw of raws) {
    const media = mediaOf(raw, ctx)
    if (media !== undefined) names.add(media)
  }
  return [...names]
}

function mediaOf(raw: RawEntry, ctx: NormalizeContext): string | undefined {
  return cleanLine(raw.media) ?? cleanLine(ctx.feedTitle)
}

function categoryOf(
  media: string | undefined,
  ctx: NormalizeContext,
): Pick<NormalizedEntry, 'category' | 'categoryTitle'> {
  if (ctx.category) return { category: ctx.category }
  const slug = media === undefined ? '' : (ctx.slugs?.get(media) ?? slugifyCategory(media))
  return slug === '' ? { category: ctx.sourceId } : { category: slug, categoryTitle: media }
}

function categoriesOf(categories: string[] | undefined): string[] {
  const cleaned = (categories ?? []).map((category) => cleanLine(category))
  return [...new Set(cleaned.filter((category): category is string => category !== undefined))]
}

/** A single-line field: control characters removed, whitespace collapsed; blank → undefined. */
function cleanLine(text: string | undefined): string | undefined {
  const cleaned = text === undefined ? '' : collapseWhitespace(cleanText(text))
  return cleaned === '' ? undefined : cleaned
}

