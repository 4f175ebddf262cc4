import { z } from 'zod'
import { SLUG_PATTERN } from '../text/slug-pattern.js'

/** Where the file store lives unless `store.path` says otherwise. */
export const DEFAULT_STORE_PATH = 'store/db.json'

const slug = z
  .string()
  .regex(SLUG_PATTERN, 'must be lower-case letters, digits and dashes (a URL path segment)')

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })

const timezone = z.string().refine(isTimezone, 'must be an IANA time zone such as Asia/Shanghai')

/** Encoding labels we can decode (WHATWG Encoding Standard names). */
const charset = z.string().refine(isCharset, 'must be an encoding label such as gb18030, big5 or utf-8')

/** A URL with `{field}` placeholders (`…?id={infoCode}`), filled from an item's mapped fields. */
const urlTemplate = z
  .string()
  .refine((template) => URL.canParse(template.replace(/\{[A-Za-z0-9_]+\}/g, 'x')) && /^https?:/.test(template), {
    error: 'must be an absolute http(s) URL, with {field} placeholders',
  })

/** Node's timers hold a signed 32-bit count of ms; a longer delay fires at once instead (with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A delay in ms that is handed to setTimeout or undici's timers. */
const timerMs = z
  .int()
  .positive()
  .max(MAX_TIMER_MS, `must be at most ${MAX_TIMER_MS} (about 24.8 days): timers fire at once for longer delays`)

/** Dot path into a JSON answer: `data.list`, `record`, `items.0.text`. */
const jsonPath = z.string().min(1)

const filterField = z.enum(['title', 'content', 'author', 'media', 'category'])

/**
 * Rules on an item's fields. Each string is a plain word (matched as a substring) or a
 * regular expression written `/…/flags`; case-insensitive unless `caseSensitive`.
 * An item is published when it matches some `include` rule (or there are none) and no `exclude` rule.
 */
const filterRule = z.string().min(1).refine(isUsableRule, 'is not a valid regular expression (write /pattern/flags)')

const filters = z.strictObject({
  include: z.partialRecord(filterField, z.array(filterRule)).optional(),
  exclude: z.partialRecord(filterField, z.array(filterRule)).optional(),
  caseSensitive: z.boolean().default(false),
})

/** Fields every source kind shares. */
const sourceBase = {
  id: slug,
  title: z.string().min(1).optional(),
  /** Every item goes to this category; without it, the item's media outlet decides. */
  category: slug.optional(),
  /** Reads dates that carry no zone in this time zone. @default site.timezone */
  timezone: timezone.optional(),
  /** Overrides BOM, header and prolog when a source declares its charset wrongly. */
  charset: charset.optional(),
  filters: filters.optional(),
}

/** CSS selectors that override what is extracted from an article page. */
const selectors = z.strictObject({
  title: z.string().min(1).optional(),
  published: z.string().min(1).optional(),
  media: z.string().min(1).optional(),
  content: z.string().min(1).optional(),
})

const feedSource = z.strictObject({
  ...sourceBase,
  type: z.literal('feed'),
  url: httpUrl,
  /** Fetch the linked page for items that carry only a summary, once per item. */
  fullText: z.boolean().default(false),
  selectors: selectors.optional(),
})

const jsonSource = z.strictObject({
  ...sourceBase,
  type: z.literal('json'),
  url: httpUrl,
  /** Dot path of the item array in the answer; '' or absent when the answer is the array. */
  items: z.string().default(''),
  /** Dot paths of each field inside one item. `title` is required. */
  fields: z.strictObject({
    infoCode: jsonPath.optional(),
    title: jsonPath,
    published: jsonPath.optional(),
    media: jsonPath.optional(),
    summary: jsonPath.optional(),
    link: jsonPath.optional(),
    content: jsonPath.optional(),
    author: jsonPath.optional(),
    guid: jsonPath.optional(),
  }),
  /** Article text by infoCode (or any mapped field), fetched once for items not yet stored. */
  detail: z.strictObject({ url: urlTemplate, content: jsonPath }).optional(),
  shareLink: urlTemplate.optional(),
})

const shareSource = z.strictObject({
  ...sourceBase,
  type: z.literal('share'),
  /** Share pages (`…/NewsShare.html?infoCode=NW…`), each fetched once. */
  urls: z.array(httpUrl).min(1),
  selectors: selectors.optional(),
})

export const sourceSchema = z.discriminatedUnion('type', [feedSource, jsonSource, shareSource])

export const configSchema = z.strictObject({
  /** Where editors find the JSON Schema of this file (written by `feedloom init`); not read otherwise. */
  $schema: z.string().optional(),
  site: z.strictObject({
    title: z.string().min(1),
    /** Public base URL that out/ is served from; feed self links and ids hang off it. */
    url: httpUrl,
    description: z.string().optional(),
    language: z.string().default('zh-CN'),
    timezone: timezone.default('Asia/Shanghai'),
  }),
  schedule: z.string().default('*/5 * * * *'),
  store: z
    .strictObject({
      path: z.string().min(1).default(DEFAULT_STORE_PATH),
      /**
       * A PostgreSQL server to keep the store in instead of files: `postgres://user:password@host:port/db`
       * (env FEEDLOOM_STORE_URL). Not together with a `path` of your own.
       */
      url: z
        .string()
        .refine((url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url), 'must be a postgres:// URL (postgres://user:password@host:5432/database)')
        .optional(),
      maxItemsPerCategory: z.int().positive().default(500),
      maxAgeDays: z.number().positive().default(30),
    })
    .prefault({}),
  output: z
    .strictObject({
      dir: z.string().min(1).default('out'),
      formats: z
        .array(z.enum(['rss', 'atom', 'json']))
        .min(1)
        .default(['rss', 'atom', 'json']),
      itemsPerFeed: z.int().positive().default(50),
      /** out/index.html and out/<category>/index.html. */
      html: z.boolean().default(true),
      /** out/feeds.opml listing every published feed. */
      opml: z.boolean().default(true),
      /** Jekyll posts in the format of the system feedloom replaces (README: "Jekyll posts"). */
      jekyll: z
        .strictObject({
          /** Relative to output.dir, and inside it (load-config.ts checks). */
          dir: z.string().min(1).default('_posts'),
          /** Scheme-relative or absolute URL of the Jekyll site, e.g. `//finews.withounder.com`. */
          siteUrl: z.string().min(1),
          /** Category page path on that site; `{category}` is replaced by the slug. */
          categoryPage: z.string().min(1).default('/category/{category}.html'),
          /** Posts of items published within this many days are kept; older ones leave the folder (never the store). */
          liveDays: z.number().positive().default(3),
          layout: z.string().min(1).default('post'),
        })
        .optional(),
      /** WebSub: feeds carry `<link rel="hub">` and the hub is pinged for each changed feed. */
      websub: z.strictObject({ hub: httpUrl }).optional(),
    })
    .prefault({}),
  fetch: z
    .strictObject({
      concurrency: z.int().positive().default(8),
      perHost: z.int().positive().default(2),
      timeoutMs: timerMs.default(20_000),
      maxBytes: z.int().positive().default(10 * 1024 * 1024),
      maxRedirects: z.int().min(0).max(20).default(5),
      userAgent: z.string().min(1).default('feedloom/0.1 (+https://github.com/feedloom/feedloom)'),
      /** Refuse sources and redirects that resolve to loopback, private, link-local or metadata addresses. */
      blockPrivateAddresses: z.boolean().default(false),
      /** Detail, full-text and share page fetches one source may start per cycle; the rest wait for a later one. */
      articlesPerSource: z.int().min(0).default(20),
      /** From the cycle's start: later, no detail, full-text or share page fetch starts and those in flight stop. */
      cycleDeadlineMs: timerMs.default(60_000),
      /** Worker threads at most that parse and normalize feeds and news API answers, each started when an answer would wait for the main thread; 0 parses on the main thread. @default one per core */
      workers: z.int().min(0).max(64).optional(),
    })
    .prefault({}),
  /** `feedloom worker` on a PostgreSQL store: the job queue kept in the same database. */
  queue: z
    .strictObject({
      /** A job whose worker stopped (killed, machine lost) is given to another worker after this many seconds. */
      leaseSeconds: z.int().min(2).max(86_400).default(60),
      /** Jobs one worker runs at once. @default fetch.concurrency */
      concurrency: z.int().positive().optional(),
    })
    .prefault({}),
  /** Source health: `feedloom status` exits non-zero when a source has failed for longer than this. */
  health: z.strictObject({ alertAfterHours: z.number().positive().default(24) }).prefault({}),
  categories: z
    .record(
      slug,
      z.strictObject({
        title: z.string().min(1),
        filters: filters.optional(),
        /** At most this many items in this category's feeds. @default output.itemsPerFeed */
        maxItems: z.int().positive().optional(),
      }),
    )
    .default({}),
  sources: z.array(sourceSchema).default([]),
})

/**
 * The JSON Schema of feeds.config.json as written (defaults optional), for editors: generated from
 * the zod schema at build time so the two never disagree. Checks zod runs in code (time zones,
 * regular expressions) are left to `feedloom validate`.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' })
}

export type Config = z.infer<typeof configSchema>
export type SourceConfig = z.infer<typeof sourceSchema>
export type FeedSourceConfig = z.infer<typeof feedSource>
export type JsonSourceConfig = z.infer<typeof jsonSource>
export type ShareSourceConfig = z.infer<typeof shareSource>
export type FiltersConfig = z.infer<typeof filters>

/**
 * A zone ICU lists is accepted without building a DateTimeFormat: the first one costs 20–40 ms of
 * ICU set-up, paid on every `feedloom run`. Names the list leaves out (UTC, links, other casings)
 * still go through DateTimeFormat, so the same names are accepted as before.
 */
let listedTimezones: ReadonlySet<string> | undefined

function isTimezone(name: string): boolean {
  listedTimezones ??= new Set(Intl.supportedValuesOf('timeZone'))
  if (listedTimezones.has(name)) return true
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/** A `/…/flags` rule must compile; anything else is a plain word. */
function isUsableRule(rule: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(rule)
  if (!regex) return true
  try {
    new RegExp(regex[1] ?? '', regex[2])
    return true
  } catch {
    return false
  }
}

function isCharset(label: string): boolean {
  try {
    new TextDecoder(label)
    return true
  } catch {
    return false
  }
}
