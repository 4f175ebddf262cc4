import type { Config, SourceConfig } from '../config/config-schema.js'
import { saveConfig } from '../config/save-config.js'
import { UsageError } from '../errors.js'
import { createFetcher, type Fetcher } from '../fetch/create-fetcher.js'
import { slugifyCategory } from '../normalize/category-slug.js'
import { parseFeed } from '../sources/feed/parse-feed.js'
import { SLUG_PATTERN } from '../text/slug-pattern.js'
import { appendSources, type NewSource } from './append-sources.js'
import { cleanTitle } from './clean-title.js'
import type { ConfigTarget } from './config-target.js'
import { findFeedLinks, findPageTitle, type FeedLink } from './find-feed-links.js'
import { guessJsonSource, isJsonFeed } from './guess-json-source.js'
import { pickSourceId } from './pick-source-id.js'
import { comparableUrl, sourceUrlsOf } from './source-urls.js'

export type SourceType = SourceConfig['type']

export interface AddSourceOptions {
  url: string
  /** @default a slug of the feed's title, or of the host */
  id?: string
  /** A category slug, or a title that is turned into one (and added to `categories`). */
  category?: string
  /** Forces the kind: `feed` (RSS/Atom), `json` (JSON Feed or a news API) or `share` (a share page). @default detected */
  type?: SourceType
  /** @default the feed's own title */
  title?: string
}

export type AddSourcePlan =
  | { kind: 'add'; source: NewSource; newCategory?: { slug: string; title: string } }
  | { kind: 'choose'; links: FeedLink[] }

/** Works out the source `add` was given and appends it to feeds.config.json; a page linking several feeds is only planned. */
export async function addSource(target: ConfigTarget, options: AddSourceOptions): Promise<AddSourcePlan> {
  const fetcher = createFetcher(target.config.fetch)
  let plan: AddSourcePlan
  try {
    plan = await planAddSource(options, { config: target.config, fetcher })
  } finally {
    await fetcher.close()
  }
  if (plan.kind === 'add') {
    const { source, newCategory } = plan
    await saveConfig({
      path: target.path,
      fileText: appendSources(target.fileText, { sources: [source], ...(newCategory ? { categories: [newCategory] } : {}) }),
      env: target.env,
    })
  }
  return plan
}

/** What `add` would append, fetching the URL (and the one feed a page links to). Writes nothing. */
export async function planAddSource(
  options: AddSourceOptions,
  { config, fetcher }: { config: Readonly<Config>; fetcher: Fetcher },
): Promise<AddSourcePlan> {
  refuseDuplicateUrl(config, options.url)
  if (options.id !== undefined) refuseBadId(config, options.id)
  const category = options.category === undefined ? undefined : resolveCategory(config, options.category)
  const page = await fetchDocument(fetcher, config, options.url)
  const finish = (source: { type: SourceType; url: string; title: string | undefined; rest?: Record<string, unknown> }): AddSourcePlan => {
    const title = cleanTitle(options.title ?? source.title)
    const id = options.id ?? pickSourceId({ title, url: source.url, taken: new Set(config.sources.map((s) => s.id)) })
    const location = source.type === 'share' ? { urls: [source.url] } : { url: source.url }
    return {
      kind: 'add',
      source: { id, type: source.type, ...location, title, category: category?.slug, ...source.rest },
      ...(category?.create ? { newCategory: { slug: category.slug, title: category.create } } : {}),
    }
  }

  if (options.type === 'share') return finish({ type: 'share', url: page.url, title: findPageTitle(page.text) })
  if (!isHtml(page.text, page.contentType)) return finish(readFeedDocument(await describeDocument(page, options.type)))

  const links = findFeedLinks(page.text, page.url).filter((link) => options.type === undefined || (options.type === 'json') === (link.kind === 'json'))
  const [only] = links
  if (only === undefined) {
    const kinds = options.type === 'json' ? 'JSON feed' : options.type === 'feed' ? 'RSS or Atom feed' : 'RSS, Atom or JSON feed'
    throw new UsageError(
      `no feed found at ${options.url}: it is an HTML page that links no ${kinds} (<link rel="alternate">)`,
      "give the feed's own URL, or add the page as a share link with --type share",
    )
  }
  if (links.length > 1) return { kind: 'choose', links }
  refuseDuplicateUrl(config, only.url)
  const feed = await fetchDocument(fetcher, config, only.url)
  return finish(readFeedDocument(await describeDocument(feed, options.type, only.title)))
}

interface FetchedDocument {
  /** The URL to keep in the config: after permanent redirects only. */
  url: string
  text: string
  contentType?: string | undefined
}

async function fetchDocument(fetcher: Fetcher, config: Readonly<Config>, url: string): Promise<FetchedDocument> {
  const result = await fetcher.fetchText({ url })
  if (result.status !== 'ok') throw new UsageError(`${url} answered 304 Not Modified to a plain request`)
  // A 302/307 may point elsewhere tomorrow; only a permanent redirect replaces the URL given.
  const kept = result.permanentRedirect ?? url
  if (kept !== url) refuseDuplicateUrl(config, kept)
  return { url: kept, text: result.text, contentType: result.contentType }
}

type DescribedDocument =
  | { kind: 'json'; url: string; document: unknown; fallbackTitle: string | undefined }
  | { kind: 'feed'; url: string; title: string | undefined }

async function describeDocument(page: FetchedDocument, type: SourceType | undefined, fallbackTitle?: string): Promise<DescribedDocument> {
  const start = page.text.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('{') || start.startsWith('[')) {
    if (type === 'feed') throw new UsageError(`${page.url} is JSON, not an RSS or Atom feed`, 'add it with --type json')
    let document: unknown
    try {
      document = JSON.parse(start)
    } catch (cause) {
      throw new UsageError(`${page.url} looks like JSON but does not parse: ${(cause as Error).message}`, undefined, { cause })
    }
    return { kind: 'json', url: page.url, document, fallbackTitle }
  }
  if (type === 'json') throw new UsageError(`${page.url} is not JSON`, 'leave out --type, or use --type feed for RSS and Atom')
  const parsed = await parseFeed(page.text, { url: page.url })
  return { kind: 'feed', url: page.url, title: parsed.title?.replace(/\s+/g, ' ').trim() || fallbackTitle }
}

function readFeedDocument(described: DescribedDocument): { type: SourceType; url: string; title: string | undefined; rest?: Record<string, unknown> } {
  if (described.kind === 'feed') return { type: 'feed', url: described.url, title: described.title }
  const mapping = guessJsonSource(described.document)
  if (mapping === undefined) {
    throw new UsageError(
      `cannot tell how to read items from ${described.url}: no array of objects with a title field`,
      'add it to feeds.config.json by hand with "items" and "fields" (README: json sources)',
    )
  }
  const ownTitle = isJsonFeed(described.document) ? (described.document as { title?: unknown }).title : undefined
  return {
    type: 'json',
    url: described.url,
    title: typeof ownTitle === 'string' && ownTitle.trim() !== '' ? ownTitle.trim() : described.fallbackTitle,
    rest: { ...(mapping.items === '' ? {} : { items: mapping.items }), fields: mapping.fields },
  }
}

/** A document is an HTML page when its server says so or its root element is `<html>`. */
function isHtml(text: string, contentType: string | undefined): boolean {
  if (contentType !== undefined && /^\s*(?:text\/html|application\/xhtml\+xml)\b/i.test(contentType)) return true
  const rest = text.replace(/^\uFEFF/, '').replace(/^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*/, '')
  return /^<!doctype\s+html\b/i.test(rest) || /^<html[\s>]/i.test(rest)
}

function refuseDuplicateUrl(config: Readonly<Config>, url: string): void {
  const key = comparableUrl(url)
  for (const source of config.sources) {
    if (sourceUrlsOf(source).some((known) => comparableUrl(known) === key)) throw new UsageError(`${url} is already in the config as source "${source.id}"`)
  }
}

function refuseBadId(config: Readonly<Config>, id: string): void {
  if (!SLUG_PATTERN.test(id)) throw new UsageError(`--id "${id}": must be lower-case letters, digits and dashes`)
  if (config.sources.some((source) => source.id === id)) throw new UsageError(`there is already a source with id "${id}"`, 'choose another with --id')
}

/** A slug is used as given; a title maps to the category that has it, else to its slug (added to `categories`). */
function resolveCategory(config: Readonly<Config>, value: string): { slug: string; create?: string } {
  if (SLUG_PATTERN.test(value)) return { slug: value }
  const known = Object.entries(config.categories).find(([, category]) => category.title === value)
  if (known !== undefined) return { slug: known[0] }
  const slug = slugifyCategory(value)
  if (slug === '') throw new UsageError(`--category "${value}": no slug can be made of it`, 'give a slug such as meirijingjixinwen')
  return Object.hasOwn(config.categories, slug) ? { slug } : { slug, create: cleanTitle(value) ?? slug }
}
