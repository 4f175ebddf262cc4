import { z } from 'zod'

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (a URL path segment)')

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })

const timezone = z.string().refine(isTimezone, 'must be an IANA time zone such as Asia/Shanghai')

/** Encoding labels we can decode (WHATWG Encoding Standard names). */
const charset = z.string().refine(isCharset, 'must be an encoding label such as gb18030, big5 or utf-8')

const feedSource = z.strictObject({
  id: slug,
  type: z.literal('feed'),
  url: httpUrl,
  title: z.string().min(1).optional(),
  /** Every item goes to this category; without it, the item's media outlet decides. */
  category: slug.optional(),
  /** Reads dates that carry no zone in this time zone. @default site.timezone */
  timezone: timezone.optional(),
  /** Overrides BOM, header and prolog when a source declares its charset wrongly. */
  charset: charset.optional(),
})

export const sourceSchema = z.discriminatedUnion('type', [feedSource])

export const configSchema = z.strictObject({
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
      path: z.string().min(1).default('store/db.json'),
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
    })
    .prefault({}),
  fetch: z
    .strictObject({
      concurrency: z.int().positive().default(8),
      perHost: z.int().positive().default(2),
      timeoutMs: z.int().positive().default(20_000),
      maxBytes: z.int().positive().default(10 * 1024 * 1024),
      maxRedirects: z.int().min(0).max(20).default(5),
      userAgent: z.string().min(1).default('feedloom/0.1 (+https://github.com/feedloom/feedloom)'),
    })
    .prefault({}),
  categories: z.record(slug, z.strictObject({ title: z.string().min(1) })).default({}),
  sources: z.array(sourceSchema).default([]),
})

export type Config = z.infer<typeof configSchema>
export type SourceConfig = z.infer<typeof sourceSchema>
export type FeedSourceConfig = z.infer<typeof feedSource>

function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
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
