import type { Config } from '../config/config-schema.js'
import type { StoredItem } from '../types.js'
import { stripInvalidXmlChars } from './strip-invalid-xml-chars.js'
import { latestDateMs, toFeedEntry, type FeedEntry } from './to-feed-entry.js'

export type OutputFormat = Config['output']['formats'][number]

export const OUTPUT_FILE_NAMES: Readonly<Record<OutputFormat, string>> = {
  rss: 'rss.xml',
  atom: 'atom.xml',
  json: 'feed.json',
}

/** One feed (all categories, or one category), ready to render in any format. Strings are XML-safe. */
export interface FeedSpec {
  /** Directory relative to output.dir: '' for the all-categories feed, else the category slug. */
  dir: string
  title: string
  description: string
  language: string
  /** Absolute URL of the page this feed describes; also the feed's id. */
  homeUrl: string
  /** Absolute URL of each format's file. */
  selfUrls: Record<OutputFormat, string>
  /** Newest item date in the feed, or the Unix epoch when it has no items; never the clock. */
  updated: Date
  /** Newest first, capped at output.itemsPerFeed. */
  entries: FeedEntry[]
}

export interface PlanFeedsOptions {
  items: readonly StoredItem[]
  config: Config
  /** Categories whose items changed; 'all' regenerates every feed. */
  changedCategories: ReadonlySet<string> | 'all'
}

/** The feeds to regenerate: each changed category that still has items, plus the all-categories feed when anything changed. */
export function planFeeds({ items, config, changedCategories }: PlanFeedsOptions): FeedSpec[] {
  const sorted = sortNewestFirst(items)
  const byCategory = groupByCategory(sorted)
  const categoryTitles = new Map([...byCategory].map(([slug, group]) => [slug, titleCategory(slug, group, config)]))
  const toEntries = (newestFirst: StoredItem[]): FeedEntry[] =>
    newestFirst
      .slice(0, config.output.itemsPerFeed)
      .map((item) => toFeedEntry(item, categoryTitles.get(item.category) ?? item.category))
  const changed =
    changedCategories === 'all' ? [...byCategory.keys()] : [...changedCategories].filter((slug) => byCategory.has(slug))
  const categoryFeeds = changed
    .sort()
    .map((slug) =>
      createFeedSpec(config, slug, `${categoryTitles.get(slug) ?? slug} - ${config.site.title}`, toEntries(byCategory.get(slug) ?? [])),
    )
  const anyChanged = changedCategories === 'all' || changedCategories.size > 0
  return anyChanged ? [createFeedSpec(config, '', config.site.title, toEntries(sorted)), ...categoryFeeds] : categoryFeeds
}

function createFeedSpec(config: Config, dir: string, title: string, entries: FeedEntry[]): FeedSpec {
  const prefix = dir === '' ? '' : `${dir}/`
  const safeTitle = stripInvalidXmlChars(title)
  return {
    dir,
    title: safeTitle,
    description: stripInvalidXmlChars(config.site.description ?? '') || safeTitle,
    language: stripInvalidXmlChars(config.site.language),
    homeUrl: resolveSiteUrl(config.site.url, prefix),
    selfUrls: {
      rss: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.rss}`),
      atom: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.atom}`),
      json: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.json}`),
    },
    updated: new Date(entries.reduce((newest, entry) => Math.max(newest, latestDateMs(entry)), 0)),
    entries,
  }
}

/** Resolves against the site URL as a directory, whether or not it ends with '/'. */
function resolveSiteUrl(siteUrl: string, relativePath: string): string {
  const base = new URL(siteUrl)
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`
  return new URL(relativePath, base).href
}

function sortNewestFirst(items: readonly StoredItem[]): StoredItem[] {
  return items
    .map((item) => ({ item, publishedMs: Date.parse(item.published) }))
    .sort((a, b) => b.publishedMs - a.publishedMs || compareCodeUnits(a.item.id, b.item.id))
    .map(({ item }) => item)
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Keeps the input order within each group. */
function groupByCategory(items: StoredItem[]): Map<string, StoredItem[]> {
  const groups = new Map<string, StoredItem[]>()
  for (const item of items) {
    const group = groups.get(item.category)
    if (group) group.push(item)
    else groups.set(item.category, [item])
  }
  return groups
}

function titleCategory(slug: string, newestFirst: StoredItem[], config: Config): string {
  return config.categories[slug]?.title ?? newestFirst.find((item) => item.categoryTitle)?.categoryTitle ?? slug
}
