import { createFeed } from './create-feed.js'
import { escapeHtml } from './html-to-text.js'
import type { FeedSpec } from './plan-feeds.js'

/** RSS 2.0 with `atom:link rel="self"`. */
export function renderRss(spec: FeedSpec): string {
  // Readers (feedparser, Miniflux…) take RSS titles and descriptions as HTML, so plain text is
  // escaped once: a title that reads `<img onerror=…>` stays text, and `]]>` cannot end a CDATA section.
  const feed = createFeed({ ...spec, title: escapeHtml(spec.title), description: escapeHtml(spec.description) }, {
    titleOf: (entry) => escapeHtml(entry.title),
    categoryOf: (tag) => ({ name: tag }),
  })
  return `${feed.rss2()}\n`
}
