import { dropUndefined } from './object/drop-undefined.js'
import type { ParsedFeed, RawEnclosure, RawEntry } from './types.js'

/**
 * Every cap on what a source can make feedloom keep, publish or send, whatever its kind (feed,
 * json, share), in one table: the fetch byte cap bounds a document; these bound what is kept of
 * it, so that one source cannot make every published feed huge, the store grow without end, or
 * a cycle open more files than the process may. README "Limits" lists them for users.
 */
export const CAPS = {
  /** Entries kept from one answer (a feed document, a news API list), in answer order (newest first, as sources list them). */
  maxEntriesPerAnswer: 1_000,
  /** A title, in UTF-16 code units, before it is cut and ends with `…`. */
  maxTitleChars: 1_000,
  /** Content or summary HTML (also article text from a detail API or a page); the cut markup is closed by the sanitizer later. */
  maxContentChars: 200_000,
  /** Author and media outlet name; the media name becomes a category title. */
  maxNameChars: 200,
  /** Each of an entry's categories (tags). */
  maxTagChars: 200,
  /** Categories (tags) kept per entry. */
  maxTagsPerEntry: 50,
  /** Enclosures (audio, images) kept per entry; one whose URL is longer than maxReferenceChars is dropped. */
  maxEnclosuresPerEntry: 20,
  /**
   * Link, guid, share link, infoCode, xml:base and date strings longer than this are dropped, not
   * cut: a cut URL or guid would be a different one. 2,048 is the longest URL browsers and servers
   * commonly accept.
   */
  maxReferenceChars: 2_048,
  /**
   * Categories made from media names in one answer: each becomes a directory of feeds. Entries of
   * further outlets go to the source's own category (its id) instead.
   */
  maxCategoriesPerAnswer: 100,
  /**
   * A category slug made from a media name, in bytes (slugs are ASCII). A directory name may have
   * 255 bytes; the suffix telling two names with the same pinyin apart adds at most 41.
   */
  maxSlugBytes: 64,
  /** Tombstones kept; beyond it the oldest go first, so a source that rotates its codes cannot grow the store without end. */
  maxTombstones: 50_000,
  /**
   * Days a tombstone is kept. Feeds and news APIs rarely still list an item half a year old, and
   * one that does is older than any sensible maxAgeDays, so it would be pruned again anyway.
   */
  maxTombstoneAgeDays: 180,
  /** Output files written at once: 300 categories must publish under `ulimit -n 1024`. */
  maxConcurrentWrites: 16,
  /** Feed URLs named in one WebSub ping (repeated `hub.url`); more changed feeds take more pings. */
  maxFeedsPerHubPing: 100,
} as const

/** Entries within CAPS, and what was cut, in words for `status` (empty when nothing was). */
export interface CappedEntries {
  entries: RawEntry[]
  reasons: string[]
}

type CutField = 'title' | 'content' | 'summary' | 'author' | 'media' | 'categories' | 'enclosures' | ReferenceField

const REFERENCE_FIELDS = ['guid', 'link', 'baseUrl', 'published', 'updated', 'shareLink', 'infoCode'] as const
type ReferenceField = (typeof REFERENCE_FIELDS)[number]

/** The first CAPS.maxEntriesPerAnswer entries of one answer, each with every field within CAPS. */
export function capEntries(entries: readonly RawEntry[]): CappedEntries {
  const cuts = new Map<CutField, number>()
  const kept = entries.slice(0, CAPS.maxEntriesPerAnswer).map((entry) => capEntry(entry, cuts))
  const reasons =
    entries.length > CAPS.maxEntriesPerAnswer ? [`answered ${entries.length} entries; kept the first ${CAPS.maxEntriesPerAnswer}`] : []
  for (const [field, count] of [...cuts].sort(([a], [b]) => (a < b ? -1 : 1))) reasons.push(describeCut(field, count))
  return { entries: kept, reasons }
}

/** The feed with its entries capped (capEntries) and its own fields within CAPS. */
export function capFeed(feed: ParsedFeed): { feed: ParsedFeed; reasons: string[] } {
  const { entries, reasons } = capEntries(feed.entries)
  const capped = dropUndefined({
    ...feed,
    title: cut(feed.title, CAPS.maxTitleChars, '…'),
    link: dropLong(feed.link),
    baseUrl: dropLong(feed.baseUrl),
    entries,
  })
  return { feed: capped, reasons }
}

/**
 * The entry with every field within CAPS, counting what was cut in `cuts`. Fields are named rather
 * than spread from `entry`, which cost more CPU than the capping itself; `satisfies` fails the build
 * when one is missing.
 */
function capEntry(entry: RawEntry, cuts: Map<CutField, number>): RawEntry {
  const count = (field: CutField, before: unknown, after: unknown): void => {
    if (before !== after) cuts.set(field, (cuts.get(field) ?? 0) + 1)
  }
  const capped = dropUndefined({
    guid: dropLong(entry.guid),
    link: dropLong(entry.link),
    baseUrl: dropLong(entry.baseUrl),
    published: dropLong(entry.published),
    updated: dropLong(entry.updated),
    shareLink: dropLong(entry.shareLink),
    infoCode: dropLong(entry.infoCode),
    title: cut(entry.title, CAPS.maxTitleChars, '…'),
    content: cut(entry.content, CAPS.maxContentChars),
    summary: cut(entry.summary, CAPS.maxContentChars),
    author: cut(entry.author, CAPS.maxNameChars),
    media: cut(entry.media, CAPS.maxNameChars),
    categories: capTags(entry.categories),
    enclosures: capEnclosures(entry.enclosures),
  } satisfies Record<keyof RawEntry, unknown>)
  for (const field of [...REFERENCE_FIELDS, 'title', 'content', 'summary', 'author', 'media', 'categories', 'enclosures'] as const) {
    count(field, entry[field], capped[field])
  }
  return capped
}

/** Article text fetched for an entry (detail API, linked page) within CAPS.maxContentChars. */
export function capContent(html: string): string {
  return cut(html, CAPS.maxContentChars) ?? ''
}

function capTags(tags: string[] | undefined): string[] | undefined {
  if (tags === undefined) return undefined
  const capped = tags.slice(0, CAPS.maxTagsPerEntry).map((tag) => cut(tag, CAPS.maxTagChars) ?? '')
  // The same array when nothing was cut, so the caller can tell.
  return capped.length === tags.length && capped.every((tag, index) => tag === tags[index]) ? tags : capped
}

function capEnclosures(enclosures: RawEnclosure[] | undefined): RawEnclosure[] | undefined {
  if (enclosures === undefined) return undefined
  const capped = enclosures
    .filter((enclosure) => dropLong(enclosure.url) !== undefined)
    .slice(0, CAPS.maxEnclosuresPerEntry)
    .map((enclosure) => dropUndefined({ ...enclosure, type: cut(enclosure.type, CAPS.maxNameChars), length: cut(enclosure.length, CAPS.maxNameChars) }))
  // The same array when nothing was cut, so the caller can tell.
  const isSame = capped.length === enclosures.length && capped.every((one, index) => JSON.stringify(one) === JSON.stringify(enclosures[index]))
  return isSame ? enclosures : capped
}

function describeCut(field: CutField, count: number): string {
  const entries = count === 1 ? '1 entry' : `${count} entries`
  switch (field) {
    case 'title':
      return `title of ${entries} cut to ${CAPS.maxTitleChars} characters`
    case 'content':
    case 'summary':
      return `${field} of ${entries} cut to ${CAPS.maxContentChars} characters`
    case 'author':
    case 'media':
      return `${field} of ${entries} cut to ${CAPS.maxNameChars} characters`
    case 'categories':
      return `categories of ${entries} cut to ${CAPS.maxTagsPerEntry} of at most ${CAPS.maxTagChars} characters`
    case 'enclosures':
      return `enclosures of ${entries} cut to ${CAPS.maxEnclosuresPerEntry}, each URL at most ${CAPS.maxReferenceChars} characters`
    default:
      return `${field} of ${entries} dropped: longer than ${CAPS.maxReferenceChars} characters`
  }
}

function dropLong(text: string | undefined): string | undefined {
  return text !== undefined && text.length > CAPS.maxReferenceChars ? undefined : text
}

/** Cuts between characters, never inside a surrogate pair. */
function cut(text: string | undefined, maxChars: number, marker = ''): string | undefined {
  if (text === undefined || text.length <= maxChars) return text
  let end = maxChars - marker.length
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return text.slice(0, end) + marker
}

