import { escapeHtml } from '../text/escape-html.js'
import { createFeed } from './create-feed.js'
import type { FeedSpec } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

const DC_NAMESPACE = 'http://purl.org/dc/elements/1.1/'

/** An RSS 2.0 `<author>` is an e-mail address, optionally followed by the name in parentheses. */
const EMAIL_AUTHOR = /^[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+(?:\s+\(.*\))?$/

/** RSS 2.0 with `atom:link rel="self"`. */
export function renderRss(spec: FeedSpec): string {
  // feed@6 declares the dc prefix on <rss> only when some item has content:encoded.
  const hasDcPrefix = spec.entries.some((entry) => entry.contentHtml !== undefined)
  // Readers (feedparser, Miniflux…) take RSS titles and descriptions as HTML, so plain text is
  // escaped once: a title that reads `<img onerror=…>` stays text, and `]]>` cannot end a CDATA section.
  const feed = createFeed({ ...spec, title: escapeHtml(spec.title), description: escapeHtml(spec.description) }, {
    titleOf: (entry) => escapeHtml(entry.title),
    categoryOf: (tag) => ({ name: tag }),
    authorOf: (entry) => authorOf(entry, hasDcPrefix),
  })
  return `${feed.rss2()}\n`
}

/** RSS 2.0 wants an e-mail address in `<author>`; a plain name goes in `dc:creator`. */
function authorOf({ author }: FeedEntry, hasDcPrefix: boolean) {
  if (author === undefined) return {}
  if (EMAIL_AUTHOR.test(author)) return { author: [{ name: author }] }
  const creator = hasDcPrefix ? { _text: author } : { _attributes: { 'xmlns:dc': DC_NAMESPACE }, _text: author }
  return { extensions: [{ name: 'dc:creator', objects: creator }] }
}
