import type { ParsedFeed, RawEntry } from '../../types.js'

/**
 * Caps on what one feed can put into the store and the outputs, whatever its size. The fetch
 * byte cap bounds the document; these bound what is kept of it, so that one source cannot
 * make every published feed huge or one item unreadable.
 */
export const FEED_CAPS = {
  /** Entries kept from one document, in document order (feeds list newest first). */
  maxEntries: 1_000,
  /** A title, in UTF-16 code units, before it is cut and ends with `…`. */
  maxTitleChars: 1_000,
  /** Content or summary HTML, in UTF-16 code units; the cut markup is closed by the sanitizer later. */
  maxContentChars: 200_000,
  /** Author, media and each category, in UTF-16 code units. */
  maxLineChars: 500,
  /** Categories kept per entry. */
  maxCategories: 50,
  /**
   * Link, guid, xml:base and date strings longer than this are dropped, not cut: a cut URL or
   * guid would be a different one. 2,048 is the longest URL browsers and servers commonly accept.
   */
  maxReferenceChars: 2_048,
} as const

/**
 * The entry with every field within FEED_CAPS. Fields are named rather than spread from `entry`,
 * which cost more CPU than the capping itself; `satisfies` fails the build when one is missing.
 */
export function capEntry(entry: RawEntry): RawEntry {
  return withoutUndefined({
    guid: dropLong(entry.guid),
    link: dropLong(entry.link),
    baseUrl: dropLong(entry.baseUrl),
    published: dropLong(entry.published),
    updated: dropLong(entry.updated),
    shareLink: dropLong(entry.shareLink),
    infoCode: dropLong(entry.infoCode),
    title: cut(entry.title, FEED_CAPS.maxTitleChars, '…'),
    content: cut(entry.content, FEED_CAPS.maxContentChars),
    summary: cut(entry.summary, FEED_CAPS.maxContentChars),
    author: cut(entry.author, FEED_CAPS.maxLineChars),
    media: cut(entry.media, FEED_CAPS.maxLineChars),
    categories: entry.categories
      ?.slice(0, FEED_CAPS.maxCategories)
      .map((category) => cut(category, FEED_CAPS.maxLineChars) ?? ''),
  } satisfies Record<keyof RawEntry, unknown>)
}

/** The feed with at most FEED_CAPS.maxEntries entries and its own fields within the caps. */
export function capFeed(feed: ParsedFeed): ParsedFeed {
  return withoutUndefined({
    ...feed,
    title: cut(feed.title, FEED_CAPS.maxTitleChars, '…'),
    link: dropLong(feed.link),
    baseUrl: dropLong(feed.baseUrl),
    entries: feed.entries.slice(0, FEED_CAPS.maxEntries).map(capEntry),
  })
}

function dropLong(text: string | undefined): string | undefined {
  return text !== undefined && text.length > FEED_CAPS.maxReferenceChars ? undefined : text
}

/** Cuts between characters, never inside a surrogate pair. */
function cut(text: string | undefined, maxChars: number, marker = ''): string | undefined {
  if (text === undefined || text.length <= maxChars) return text
  let end = maxChars - marker.length
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return text.slice(0, end) + marker
}

function withoutUndefined<T extends object>(value: T): T {
  const kept: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) if (field !== undefined) kept[key] = field
  return kept as T
}
