import { Feed, type Category, type Item } from 'feed'
import { escapeHtml } from '../text/escape-html.js'
import type { FeedSpec } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

/** What differs between RSS and Atom in how an entry is handed to `feed`. */
export interface EntryStyle {
  titleOf: (entry: FeedEntry) => string
  categoryOf: (tag: string) => Category
  authorOf: (entry: FeedEntry) => Pick<Item, 'author' | 'extensions'>
}

export function createFeed(spec: FeedSpec, style: EntryStyle): Feed {
  const feed = new Feed({
    id: spec.homeUrl,
    title: spec.title,
    description: spec.description,
    link: spec.homeUrl,
    language: spec.language,
    // feed@6 falls back to the clock when `updated` is missing.
    updated: spec.updated,
    generator: 'feedloom',
    feedLinks: spec.selfUrls,
    // feed@6 writes `<atom:link rel="hub">` in RSS and `<link rel="hub">` in Atom (WebSub §4).
    ...(spec.hubUrl === undefined ? {} : { hub: spec.hubUrl }),
  })
  for (const entry of spec.entries) feed.addItem(toFeedItem(entry, style))
  return feed
}

function toFeedItem(entry: FeedEntry, style: EntryStyle): Item {
  const [enclosure] = entry.enclosures
  return {
    id: entry.id,
    // feed@6 writes no <link> for an empty one, and a guid with isPermaLink="false" from the id.
    link: entry.link ?? '',
    title: escapeCdataEnd(style.titleOf(entry)),
    date: entry.updated,
    published: entry.published,
    // Both formats put the description in an HTML context.
    description: escapeHtml(entry.summaryText),
    content: entry.contentHtml === undefined ? undefined : escapeCdataEnd(entry.contentHtml),
    category: entry.tags.map(style.categoryOf),
    ...style.authorOf(entry),
    // RSS 2.0 allows one enclosure per item; feed@6 guesses the type from the file name unless given.
    enclosure:
      enclosure === undefined ? undefined : { url: enclosure.url, type: enclosure.type ?? 'application/octet-stream', length: enclosure.length ?? 0 },
  }
}

/**
 * xml-js splits only the first `]]>` inside a CDATA section; a second one would end it early.
 * In HTML `&gt;` reads as `>`, so this changes nothing a reader shows.
 */
function escapeCdataEnd(html: string): string {
  return html.replaceAll(']]>', ']]&gt;')
}
