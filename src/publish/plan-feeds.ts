import type { Config } from '../config/config-schema.js'
import { stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'
import type { PageItem, StoredItem } from '../types.js'
import { stripDeceptiveChars } from './strip-deceptive-chars.js'
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

/**
 * The published items as the store hands them out: the newest N (of a category, or of all), the
 * live ones, and counts, each with the config's filters already applied, so publishing never
 * holds every item.
 */
export interface PublishedItems {
  /** Newest `published` first, equal instants by id. */
  newestItems(query: { category?: string; limit: number; offset?: number }): Promise<StoredItem[]>
  /** What a category page shows of the items newestItems gives for the same query, without their bodies. */
  pageItems(query: { category?: string; limit: number; offset?: number }): Promise<PageItem[]>
  /** Published at or after `since`, in the order of newestItems. */
  liveItems(query: { since: Date }): Promise<StoredItem[]>
  /** The live item known by any of `keys` (a key or an alias: `infocode:…`), published or not. */
  findItem(keys: readonly string[]): Promise<StoredItem | undefined>
  /** Overall and per category (slug order), with each category's title from its newest item that has one. */
  countItems(): Promise<{ all: number; categories: Map<string, { items: number; title?: string }> }>
}

/** Every feed the published items make: the all-categories one and one per category that has items. */
export async function planSite(items: PublishedItems, config: Config): Promise<SitePlan> {
  const counts = await items.countItems()
  const categoryTitles = titleCategories(counts, config)
  const toEntries = (newestFirst: StoredItem[]): FeedEntry[] =>
    newestFirst.map((item) => toFeedEntry(item, categoryTitles.get(item.category) ?? item.category))
  // Every configured category has its feeds, empty until it has items, so its subscribe URL never answers 404.
  const slugs = [...new Set([...counts.categories.keys(), ...Object.keys(config.categories)])].sort()
  const categories = await Promise.all(
    slugs.map(async (slug) => {
      const name = categoryTitles.get(slug) ?? slug
      const maxItems = config.categories[slug]?.maxItems ?? config.output.itemsPerFeed
      const newest = await items.newestItems({ category: slug, limit: maxItems })
      const itemCount = counts.categories.get(slug)?.items ?? 0
      return createFeedSpec(config, slug, name, `${name} - ${config.site.title}`, toEntries(newest), itemCount)
    }),
  )
  const newest = await items.newestItems({ limit: config.output.itemsPerFeed })
  const all = createFeedSpec(config, '', config.site.title, config.site.title, toEntries(newest), counts.all)
  return { all, categories }
}

/** Each category's title (config, else its newest item's categoryTitle, else the slug), by slug. */
export function titleCategories(counts: Awaited<ReturnType<PublishedItems['countItems']>>, config: Config): Map<string, string> {
  return new Map([...counts.categories].map(([slug, count]) => [slug, config.categories[slug]?.title ?? count.title ?? slug]))
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
