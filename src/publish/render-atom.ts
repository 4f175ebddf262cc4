import { createFeed } from './create-feed.js'
import { escapeHtml } from './html-to-text.js'
import type { FeedSpec } from './plan-feeds.js'

/** Atom 1.0 (RFC 4287). */
export function renderAtom(spec: FeedSpec): string {
  const feed = createFeed(spec, {
    // feed@6 marks entry titles type="html", so a plain-text title must be escaped.
    titleOf: (entry) => escapeHtml(entry.title),
    // xml-js escapes only `"` in attributes and feed@6 only `&`; a raw `<` would break the document.
    categoryOf: (tag) => ({ term: tag.replaceAll('<', '\uFF1C') }),
  })
  return `${feed.atom1()}\n`
}
