import { htmlToText, truncateText } from '../text/html-to-text.js'
import { stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'
import type { Enclosure, StoredItem } from '../types.js'
import { listItemTags, uniqueNonEmpty } from './list-item-tags.js'
import { stripDeceptiveChars } from './strip-deceptive-chars.js'

/** One item as every output format shows it. Strings are XML-safe; dates may be invalid (the check catches them). */
export interface FeedEntry {
  /** The item's `urn:` id, stable forever. */
  id: string
  /** Absent for an item without an http(s) link: readers get its content instead. */
  link?: string
  title: string
  /** Sanitized HTML, when the item has content. */
  contentHtml?: string
  /** Plain text: the item's summary, else the start of its content. */
  summaryText: string
  author?: string
  /** The media outlet that published the story (the item's `media`), when known. */
  outlet?: string
  /** The item's category slug. */
  category: string
  published: Date
  /** Last change: the item's `updated`, else `published`. */
  updated: Date
  /** The category title first, then the outlet's tag (`<media>新闻`, as in Jekyll posts) and the item's own categories. */
  tags: string[]
  /** Each URL once, as the source gave it. */
  enclosures: Enclosure[]
}

/** In code points: about two lines of a feed reader's list view. */
const EXCERPT_MAX_CHARS = 200

export function toFeedEntry(item: StoredItem, categoryTitle: string): FeedEntry {
  const published = new Date(item.published)
  return {
    id: stripInvalidXmlChars(item.id),
    link: item.link === undefined ? undefined : stripInvalidXmlChars(item.link),
    title: stripInvalidXmlChars(stripDeceptiveChars(item.title)),
    contentHtml: item.content ? stripInvalidXmlChars(item.content) : undefined,
    summaryText: stripInvalidXmlChars(summarize(item)),
    author: item.author ? stripInvalidXmlChars(stripDeceptiveChars(item.author)) : undefined,
    outlet: item.media ? stripInvalidXmlChars(stripDeceptiveChars(item.media)) : undefined,
    category: item.category,
    published,
    updated: item.updated === undefined ? published : new Date(item.updated),
    tags: uniqueNonEmpty([categoryTitle, ...listItemTags(item, categoryTitle)].map((tag) => stripInvalidXmlChars(stripDeceptiveChars(tag)))),
    enclosures: (item.enclosures ?? []).map((enclosure) => ({ ...enclosure, url: stripInvalidXmlChars(enclosure.url), ...(enclosure.type === undefined ? {} : { type: stripInvalidXmlChars(enclosure.type) }) })),
  }
}

/** The newest moment an entry shows: a feed's own date is the maximum of these. */
export function latestDateMs(entry: FeedEntry): number {
  return Math.max(entry.published.getTime(), entry.updated.getTime())
}

function summarize(item: StoredItem): string {
  // Summaries may arrive as HTML or text; reducing both to text makes every format agree.
  const summary = htmlToText(item.summary ?? '')
  return summary || truncateText(htmlToText(item.content ?? ''), EXCERPT_MAX_CHARS)
}
