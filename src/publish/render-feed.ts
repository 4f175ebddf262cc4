import { stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'
import type { StoredItem } from '../types.js'
import type { FeedSpec, OutputFormat } from './plan-feeds.js'
import { renderAtom } from './render-atom.js'
import { renderJsonFeed } from './render-json-feed.js'
import { renderRss } from './render-rss.js'
import { stripDeceptiveChars } from './strip-deceptive-chars.js'
import { latestDateMs, toFeedEntry } from './to-feed-entry.js'

export interface RenderFeedOptions {
  format: OutputFormat
  /** The feed's title; also its author wherever an item names none. */
  title: string
  /** @default the title */
  description?: string
  /** @default 'en' */
  language?: string
  /** Absolute URL of the page the feed describes; also the feed's id. */
  homeUrl: string
  /** Absolute URL the feed itself is served from (`rel="self"`). */
  selfUrl: string
  /** Shown in the order given: newest first, as a store hands them out. */
  items: readonly StoredItem[]
}

/**
 * One feed of the given items in one format, as `feedloom` publishes its own: the feed's date is
 * its newest item's, never the clock, so the same items give the same bytes.
 */
export function renderFeed(options: RenderFeedOptions): string {
  const title = stripInvalidXmlChars(stripDeceptiveChars(options.title))
  const entries = options.items.map((item) => toFeedEntry(item, item.categoryTitle ?? item.category))
  const spec: FeedSpec = {
    dir: '',
    name: title,
    title,
    description: stripInvalidXmlChars(options.description ?? '') || title,
    language: stripInvalidXmlChars(options.language ?? 'en'),
    author: title,
    homeUrl: options.homeUrl,
    selfUrls: { rss: options.selfUrl, atom: options.selfUrl, json: options.selfUrl },
    updated: new Date(entries.reduce((newest, entry) => Math.max(newest, latestDateMs(entry)), 0)),
    entries,
    itemCount: entries.length,
  }
  if (options.format === 'rss') return renderRss(spec)
  if (options.format === 'atom') return renderAtom(spec)
  return renderJsonFeed(spec)
}
