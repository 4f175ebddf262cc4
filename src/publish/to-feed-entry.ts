import { stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'
import { toSummaryText } from '../text/to-summary-text.js'
import type { Enclosure, PageItem, StoredItem } from '../types.js'
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

/** What a category page shows of an entry. */
export type PageEntry = Pick<FeedEntry, 'link' | 'title' | 'summaryText' | 'author' | 'outlet' | 'published'>

export function toFeedEntry(item: StoredItem, categoryTitle: string): FeedEntry {
  const shown = toPageEntry({ ...item, summaryText: toSummaryText(item) })
  return {
    ...shown,
    id: stripInvalidXmlChars(item.id),
    contentHtml: item.content ? stripInvalidXmlChars(item.content) : undefined,
    category: item.category,
    updated: item.updated === undefined ? shown.published : new Date(item.updated),
    tags: uniqueNonEmpty([categoryTitle, ...listItemTags(item, categoryTitle)].map((tag) => stripInvalidXmlChars(stripDeceptiveChars(tag)))),
    enclosures: (item.enclosures ?? []).map((enclosure) => ({ ...enclosure, url: stripInvalidXmlChars(enclosure.url), ...(enclosure.type === undefined ? {} : { type: stripInvalidXmlChars(enclosure.type) }) })),
  }
}

/** A page's entry for an item read without its bodies (Store.pageItems): the same strings toFeedEntry makes. */
export function toPageEntry(item: PageItem): PageEntry {
  return {
    link: item.link === undefined ? undefined : stripInvalidXmlChars(item.link),
    title: stripInvalidXmlChars(stripDeceptiveChars(item.title)),
    summaryText: stripInvalidXmlChars(item.summaryText),
    author: item.author ? stripInvalidXmlChars(stripDeceptiveChars(item.author)) : undefined,
    outlet: item.media ? stripInvalidXmlChars(stripDeceptiveChars(item.media)) : undefined,
    published: new Date(item.published),
  }
}

/** The newest moment an entry shows: a feed's own date is the maximum of these. */
export function latestDateMs(entry: FeedEntry): number {
  return Math.max(entry.published.getTime(), entry.updated.getTime())
}
