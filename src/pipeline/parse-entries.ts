import { capEntries, capFeed } from '../caps.js'
import type { FeedSourceConfig, JsonSourceConfig } from '../config/config-schema.js'
import { mediaNamesOf, type NormalizeContext } from '../normalize/normalize-entry.js'
import { parseFeed } from '../sources/feed/parse-feed.js'
import { parseJsonList } from '../sources/json/parse-json-list.js'
import type { DroppedEntry, RawEntry } from '../types.js'
import type { NormalizedPair } from './fill-missing-content.js'
import { type BodyQuestion, normalizeEntries, type SkipBodies, sourceContext } from './normalize-entries.js'

/** One listing answer to parse and normalize: plain data, so that it can be handed to a worker thread. */
export interface ParseEntriesTask {
  source: FeedSourceConfig | JsonSourceConfig
  /** The answer, decoded. */
  text: string
  /** The URL it came from, after redirects. */
  url: string
  /** `site.timezone`, for a source that names none. */
  siteTimezone: string
  /** The cycle's start, ISO. */
  now: string
}

export interface ParsedEntries {
  /** `raw` is kept only where a detail URL template reads it (a json source with `detail`). */
  pairs: NormalizedPair[]
  dropped: DroppedEntry[]
  /** What a cap changed, for the source's `degraded`. */
  reasons: string[]
  /** Why the strict XML reader refused the feed, when a lenient read recovered its entries. */
  recovered?: string
}

/** What a parse thread asks the main thread: which bodies need no sanitizing (SkipBodies), or the slugs of media names (SlugifyNames). */
export type ParseQuestion = { bodies: BodyQuestion[] } | { slugs: string[] }

/** Category slugs of media names, in their order (slugifyCategory), made where the romanizer is loaded. */
export type SlugifyNames = (names: string[]) => Promise<string[]>

/**
 * A feed or news API answer → normalized entries, the same on the main thread and on a worker
 * thread; `skipBodies` (asked on the main thread) says whose bodies need no sanitizing, and
 * `slugify`, when given, makes the categories' slugs (else they are made here).
 */
export async function parseEntries(task: ParseEntriesTask, skipBodies?: SkipBodies, slugify?: SlugifyNames): Promise<ParsedEntries> {
  const { source, text, url } = task
  const context = sourceContext(source, task.siteTimezone, url, new Date(task.now))
  if (source.type === 'json') {
    const raws = parseJsonList(text, { url, items: source.items, fields: source.fields, shareLink: source.shareLink })
    const { entries, reasons } = capEntries(raws)
    const normalized = await normalizeEntries(entries, await withSlugs(entries, context, slugify), skipBodies)
    const pairs = source.detail === undefined ? normalized.pairs.map(({ entry }) => ({ entry })) : normalized.pairs
    return { pairs, dropped: normalized.dropped, reasons: [...reasons, ...normalized.reasons] }
  }
  const { feed, reasons } = capFeed(await parseFeed(text, { url }))
  const feedContext = { ...context, feedLink: feed.link, feedBaseUrl: feed.baseUrl, feedTitle: source.title ?? feed.title }
  const normalized = await normalizeEntries(feed.entries, await withSlugs(feed.entries, feedContext, slugify), skipBodies)
  return {
    pairs: normalized.pairs.map(({ entry }) => ({ entry })),
    dropped: normalized.dropped,
    reasons: [...reasons, ...normalized.reasons],
    ...(feed.recovered === undefined ? {} : { recovered: feed.recovered }),
  }
}

async function withSlugs(raws: readonly RawEntry[], context: NormalizeContext, slugify: SlugifyNames | undefined): Promise<NormalizeContext> {
  const names = slugify === undefined ? [] : mediaNamesOf(raws, context)
  if (slugify === undefined || names.length === 0) return context
  const slugs = await slugify(names)
  return { ...context, slugs: new Map(names.map((name, i) => [name, slugs[i] ?? ''])) }
}
