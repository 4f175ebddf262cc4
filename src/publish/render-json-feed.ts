import type { FeedSpec } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1), built directly: feed@6 writes version 1. Keys in a fixed order. */
export function renderJsonFeed(spec: FeedSpec): string {
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: spec.title,
    home_page_url: spec.homeUrl,
    feed_url: spec.selfUrls.json,
    description: spec.description,
    language: spec.language,
    hubs: spec.hubUrl === undefined ? undefined : [{ type: 'WebSub', url: spec.hubUrl }],
    items: spec.entries.map(toJsonFeedItem),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

function toJsonFeedItem(entry: FeedEntry): Record<string, unknown> {
  // JSON.stringify drops undefined values, so optional keys vanish without changing the order of the rest.
  return {
    id: entry.id,
    url: entry.link,
    title: entry.title,
    // 1.1 requires content_html or content_text.
    content_html: entry.contentHtml,
    content_text: entry.contentHtml === undefined ? entry.summaryText : undefined,
    summary: entry.summaryText || undefined,
    date_published: formatDate(entry.published),
    date_modified: formatDate(entry.updated),
    authors: entry.author === undefined ? undefined : [{ name: entry.author }],
    tags: entry.tags.length > 0 ? entry.tags : undefined,
    image: entry.enclosures.find((enclosure) => enclosure.type?.startsWith('image/'))?.url,
    attachments:
      entry.enclosures.length === 0
        ? undefined
        : entry.enclosures.map((enclosure) => ({
            url: enclosure.url,
            // 1.1 requires mime_type.
            mime_type: enclosure.type ?? 'application/octet-stream',
            size_in_bytes: enclosure.length,
          })),
  }
}

/** An invalid date is written as-is (not thrown) so the pre-publish check reports it with the item. */
function formatDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? String(date) : date.toISOString()
}
