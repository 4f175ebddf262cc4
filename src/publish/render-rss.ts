import { createFeed } from './create-feed.js'
import type { FeedSpec } from './plan-feeds.js'

/** RSS 2.0 with `atom:link rel="self"`. */
export function renderRss(spec: FeedSpec): string {
  const feed = createFeed(spec, {
    titleOf: (entry) => entry.title,
    categoryOf: (tag) => ({ name: tag }),
  })
  return `${feed.rss2()}\n`
}
