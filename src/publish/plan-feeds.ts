import type { Config } from '../config/config-schema.js'
import type { StoredItem } from '../types.js'
import { stripDeceptiveChars } from './strip-deceptive-chars.js'
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
  /** The category's title alone; the site title for the all-categories feed. */
  name: string
  /** The feed's title: `<category> - <site>`, or the site title. */
  title: string
  description: string
  language: string
  /** The site title: the feed's author wherever an entry names none (RFC 4287 §4.1.1). */
  author: string
  /** Absolute URL of the page this feed describes; also the feed's id. */
  homeUrl: string
  /** Absolute URL of each format's file. */
  selfUrls: Record<OutputFormat, string>
  /** WebSub hub the feed names (`output.websub.hub`), when set. */
  hubUrl?: string
  /** Newest item date in the feed, or the Unix epoch when it has no items; never the clock. */
  updated: Date
  /** Newest first, capped at the category's maxItems, else output.itemsPerFeed. */
  entries: FeedEntry[]
  /** Items in the feed before the cap. */
  itemCount: number
}

/**
 * Every feed: the all-categories one, and one per configured category (empty until it has items)
 * and per other category that has items, by slug.
 */
export interface SitePlan {
  all: FeedSpec
  categories: FeedSpec[]
}

/** Items are the published ones (already filtered), in any order. */
export function planSite(items: readonly StoredItem[], config: Config): SitePlan {
  const sorted = sortNewestFirst(items)
  const byCategory = groupByCategory(sorted, config)
  for (const slug of Object.keys(config.categories)) if (!byCategory.has(slug)) byCategory.set(slug, [])
  const categoryTitles = new Map([...byCategory].map(([slug, group]) => [slug, titleCategory(slug, group, config)]))
  const toEntries = (newestFirst: StoredItem[], maxItems: number): FeedEntry[] =>
    newestFirst.slice(0, maxItems).map((item) => toFeedEntry(item, categoryTitles.get(item.category) ?? item.category))
  const categories = [...byCategory.keys()].sort().map((slug) => {
    const group = byCategory.get(slug) ?? []
    const name = categoryTitles.get(slug) ?? slug
    const maxItems = config.categories[slug]?.maxItems ?? config.output.itemsPerFeed
    return createFeedSpec(config, slug, name, `${name} - ${config.site.title}`, toEntries(group, maxItems), group.length)
  })
  const all = createFeedSpec(config, '', config.site.title, config.site.title, toEntries(sorted, config.output.itemsPerFeed), sorted.length)
  return { all, categories }
}

/** Each category's title (config, else its newest item's categoryTitle, else the slug), by slug. */
export function titleCategories(items: readonly StoredItem[], config: Config): Map<string, string> {
  return new Map([...groupByCategory(sortNewestFirst(items), config)].map(([slug, group]) => [slug, titleCategory(slug, group, config)]))
}

function createFeedSpec(config: Config, dir: string, name: string, title: string, entries: FeedEntry[], itemCount: number): FeedSpec {
  const prefix = dir === '' ? '' : `${dir}/`
  const safeTitle = stripInvalidXmlChars(stripDeceptiveChars(title))
  return {
    dir,
    name: stripInvalidXmlChars(stripDeceptiveChars(name)),
    title: safeTitle,
    description: stripInvalidXmlChars(config.site.description ?? '') || safeTitle,
    language: stripInvalidXmlChars(config.site.language),
    author: stripInvalidXmlChars(config.site.title),
    homeUrl: resolveSiteUrl(config.site.url, prefix),
    selfUrls: {
      rss: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.rss}`),
      atom: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.atom}`),
      json: resolveSiteUrl(config.site.url, `${prefix}${OUTPUT_FILE_NAMES.json}`),
    },
    ...(config.output.websub === undefined ? {} : { hubUrl: config.output.websub.hub }),
    updated: new Date(entries.reduce((newest, entry) => Math.max(newest, latestDateMs(entry)), 0)),
    entries,
    itemCount,
  }
}

/**
 * The public URLs of the feed files among `files` (paths relative to output.dir, as
 * PublishResult.written lists them): what a WebSub hub is told about.
 */
export function feedUrlsOf(files: readonly string[], config: Config): string[] {
  const feedNames = new Set(config.output.formats.map((format) => OUTPUT_FILE_NAMES[format]))
  return files.filter((file) => feedNames.has(file.split('/').pop() ?? '')).map((file) => resolveSiteUrl(config.site.url, file))
}

/** Resolves against the site URL as a directory, whether or not it ends with '/'. */
export function resolveSiteUrl(siteUrl: string, relativePath: string): string {
  const base = new URL(siteUrl)
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`
  return new URL(relativePath, base).href
}

/** Newest `published` first, equal instants by id: the order of every feed and page. */
export function sortNewestFirst(items: readonly StoredItem[]): StoredItem[] {
  return items
    .map((item) => ({ item, publishedMs: Date.parse(item.published) }))
    .sort((a, b) => b.publishedMs - a.publishedMs || compareCodeUnits(a.item.id, b.item.id))
    .map(({ item }) => item)
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Keeps the input order within each group. An item is in its own category and in the configured
 * category of every other source that carried it (merged from a source of another category).
 */
export function groupByCategory(items: StoredItem[], config: Config): Map<string, StoredItem[]> {
  const groups = new Map<string, StoredItem[]>()
  for (const item of items) {
    for (const category of categoriesOfItem(item, config)) {
      const group = groups.get(category)
      if (group) group.push(item)
      else groups.set(category, [item])
    }
  }
  return groups
}

/** The categories an item is published in: its own, and those of the configured sources that carried it. */
export function categoriesOfItem(item: StoredItem, config: Config): string[] {
  const categories = new Set([item.category])
  for (const source of config.sources) if (source.category !== undefined && item.sources.includes(source.id)) categories.add(source.category)
  return [...categories]
}

function titleCategory(slug: string, newestFirst: StoredItem[], config: Config): string {
  return config.categories[slug]?.title ?? newestFirst.find((item) => item.categoryTitle)?.categoryTitle ?? slug
}
