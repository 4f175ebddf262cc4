import { z } from 'zod'
import { StoreError } from '../errors.js'
import { SLUG_PATTERN } from '../text/slug-pattern.js'
import type { PublishRecord, SourceState, StoredItem } from '../types.js'
import { findDuplicateKey } from './find-duplicate-key.js'
import type { RetentionSummary } from './retention-summary.js'

/*
 * What a store file must hold, field by field. A file that passed JSON.parse but not these is
 * refused on load with the field's path: a wrong type let through would crash publish later with a
 * raw TypeError (content: 12345) or skip a source forever (nextAttemptAt: 12345). Unknown fields
 * are let through: items drop them, source states carry them.
 */

export const STORE_VERSION = 1

/** As every instant in the store is written: toISOString(), or at least ISO 8601 with a time. */
const instant = z.string().refine((text) => ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 date and time')

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d/

/** Published ids and links end up in feeds, which need absolute URLs (feed@6 throws otherwise). */
const absoluteUrl = z.string().refine((text) => URL.canParse(text), 'must be an absolute URL')

/** Category slugs name folders of out/: nothing that could climb out of it. */
const categorySlug = z.string().regex(SLUG_PATTERN, 'must be lower-case letters, digits and dashes')

const count = z.int().nonnegative()

/**
 * A file publishing wrote or must write again, relative to output.dir: a listed Jekyll post may be
 * removed, so nothing here may name a file outside the folder.
 */
const outputPath = z
  .string()
  .refine(
    (path) => !path.startsWith('/') && !/[\\\0]/.test(path) && path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
    'must be a path inside output.dir (no "..", no leading "/")',
  )

const strings = z.array(z.string())

export const storedItemSchema = z.object({
  id: absoluteUrl,
  key: z.string().min(1),
  aliases: strings,
  sources: strings,
  title: z.string(),
  link: absoluteUrl.optional(),
  content: z.string().optional(),
  summary: z.string().optional(),
  contentHash: z.string().optional(),
  author: z.string().optional(),
  enclosures: z.array(z.object({ url: absoluteUrl, type: z.string().optional(), length: count.optional() })).optional(),
  published: instant,
  updated: instant.optional(),
  firstSeen: instant,
  category: categorySlug,
  categoryTitle: z.string().optional(),
  categories: strings,
  infoCode: z.string().optional(),
  media: z.string().optional(),
  shareLink: z.string().optional(),
})

export const sourceStateSchema = z.object({
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  bodyHash: z.string().optional(),
  lastAttemptAt: instant.optional(),
  lastSuccessAt: instant.optional(),
  lastErrorAt: instant.optional(),
  lastError: z.object({ code: z.string(), message: z.string(), status: z.int().optional() }).optional(),
  consecutiveFailures: count,
  failingSince: instant.optional(),
  nextAttemptAt: instant.optional(),
  charset: z.object({ encoding: z.string(), reason: z.enum(['override', 'bom', 'header', 'prolog', 'meta', 'default', 'fallback']) }).optional(),
  recovered: z.string().optional(),
  effectiveUrl: absoluteUrl.optional(),
  pendingRedirect: absoluteUrl.optional(),
  retiredAt: instant.optional(),
  configuredUrl: z.string().optional(),
  itemsSeen: count,
  articleFailures: count.optional(),
  articlesRetryAt: instant.optional(),
  degraded: strings.optional(),
})

export const publishRecordSchema = z.object({
  jekyllPosts: z.array(outputPath).optional(),
  failedOutputs: z.array(z.object({ file: outputPath, reason: z.string(), since: instant })).optional(),
})

export const retentionSummarySchema = z.object({
  largestCategory: count,
  oldestPublished: instant.optional(),
  oldestTombstone: instant.optional(),
})

const sourceStates = z.record(z.string(), sourceStateSchema)

export const storeDataSchema = z.object({
  version: z.literal(STORE_VERSION),
  sources: sourceStates,
  retention: retentionSummarySchema.optional(),
  publish: publishRecordSchema.optional(),
  items: z.array(storedItemSchema),
  tombstones: z.record(z.string(), instant),
  categorySlugs: z.record(categorySlug, z.string()).optional(),
})

/** The segmented store's index head (lowdb/lowdb-layout.ts IndexHead). */
export const indexHeadSchema = z.object({
  version: z.literal(2),
  generation: count,
  sources: sourceStates,
  retention: retentionSummarySchema,
  publish: publishRecordSchema.optional(),
  filter: z.string(),
  categorySlugs: z.record(categorySlug, z.string()).optional(),
  tombstones: count.optional(),
  segments: z.record(
    z.string().regex(/^[0-9T+-]+$/, 'must be an hour (2022-01-11T05)'),
    z.object({ index: count, items: count, count }),
  ),
})

/** The items file of one segment: whole items, as the single file held them. */
export const segmentItemsSchema = z.object({ items: z.array(storedItemSchema) })

/**
 * The first problem the schema finds in `value`, as `path: reason` (`items[3].content: expected
 * string, received number`), or undefined when it has none.
 */
export function findSchemaProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value)
  if (result.success) return undefined
  const [issue] = result.error.issues
  return issue === undefined ? 'does not match the store schema' : `${formatStorePath(issue.path)}: ${issue.message}`
}

/** `['items', 3, 'content']` → `items[3].content`; keys that are not plain words are quoted (`sources["a b"]`). */
export function formatStorePath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else if (/^[A-Za-z_][\w-]*$/.test(String(part))) text += text === '' ? String(part) : `.${String(part)}`
    else text += `[${JSON.stringify(String(part))}]`
  }
  return text === '' ? '(top level)' : text
}

/*
 * The compiler fails here when a field is added to StoredItem, SourceState, RetentionSummary or PublishRecord and
 * not to its schema (or the other way round), so no stored field goes unchecked.
 */
type Same<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false
type Assert<T extends true> = T
type ItemSchemaMatches = Assert<Same<z.infer<typeof storedItemSchema>, StoredItem>>
type SourceStateSchemaMatches = Assert<Same<z.infer<typeof sourceStateSchema>, SourceState>>
type RetentionSchemaMatches = Assert<Same<z.infer<typeof retentionSummarySchema>, RetentionSummary>>
type PublishSchemaMatches = Assert<Same<z.infer<typeof publishRecordSchema>, PublishRecord>>

/** The single-file store as JSON, as read once to convert it (lowdb/open-lowdb-store.ts). */
export interface StoreData {
  version: typeof STORE_VERSION
  sources: Record<string, SourceState>
  publish?: PublishRecord
  /** Each item lists every key and alias it is known by. */
  items: StoredItem[]
  /** Key or alias of a pruned item → ISO instant it was pruned. */
  tombstones: Record<string, string>
  /** Category slug made from a media name → that name (claim-category-slug.ts). */
  categorySlugs?: Record<string, string>
}

/**
 * The single file as parsed from `text`, checked field by field.
 * @throws StoreError E_STORE_CORRUPT (a duplicate key, or a field that is not what feedloom writes,
 * named by its path) or E_STORE_VERSION (written by a newer feedloom)
 */
export function checkStoreData(text: string, value: unknown, path: string): StoreData {
  if (isPlainObject(value) && typeof value.version === 'number' && value.version > STORE_VERSION) {
    throw newerVersionError(value.version, path)
  }
  const problem = findStoreDataProblem(text, value)
  if (problem !== undefined) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not a feedloom store: ${problem}; it was left untouched`)
  }
  return value as StoreData
}

function newerVersionError(version: number, path: string): StoreError {
  return new StoreError('E_STORE_VERSION', `store ${path} has version ${version}; this feedloom reads version ${STORE_VERSION}`)
}

function findStoreDataProblem(text: string, value: unknown): string | undefined {
  const problem = findSchemaProblem(storeDataSchema, value)
  if (problem !== undefined) return problem
  const duplicate = findDuplicateKey(text, value)
  if (duplicate !== undefined) return `${formatStorePath(duplicate)}: the key appears twice in one object`
  const ids = new Set<string>()
  for (const [index, item] of (value as StoreData).items.entries()) {
    if (ids.has(item.id)) return `items[${index}].id: ${item.id} is a duplicate`
    ids.add(item.id)
  }
  return undefined
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
