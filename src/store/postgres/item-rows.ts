import { toSummaryText } from '../../text/to-summary-text.js'
import type { ItemFilter, StoredItem } from '../../types.js'
import { toCanonicalItem } from '../canonical-form.js'

/** What `fields` holds: the item minus the columns of its own. */
type ItemFields = Omit<StoredItem, 'id' | 'key' | 'category' | 'categoryTitle' | 'published' | 'firstSeen' | 'updated' | 'summary' | 'content'>

/** The columns an item is read from, in the order ItemRow lists them. */
export const ITEM_COLUMNS = 'id, key, category, category_title, published, first_seen, updated, fields, summary, content, revision'

/** One row of `items` as ITEM_COLUMNS select it. */
export interface ItemRow {
  id: string
  key: string
  category: string
  category_title: string | null
  published: string
  first_seen: string
  updated: string | null
  fields: ItemFields
  summary: string | null
  content: string | null
  revision: number
}

export function toStoredItem(row: ItemRow): StoredItem {
  const item = toCanonicalItem({
    ...row.fields,
    id: row.id,
    key: row.key,
    category: row.category,
    categoryTitle: row.category_title ?? undefined,
    published: row.published,
    firstSeen: row.first_seen,
    updated: row.updated ?? undefined,
    summary: row.summary ?? undefined,
    content: row.content ?? undefined,
  })
  // Absent, as the item was stored: not present with the value undefined.
  for (const [field, value] of Object.entries(item)) {
    if (value === undefined) delete (item as unknown as Record<string, unknown>)[field]
  }
  return item
}

/**
 * The items as parallel arrays, one per column (`$1` … `$15` of ITEM_INSERT_VALUES), so that any
 * number of items is one statement. The verdict and membership list are the filter's.
 */
export function toItemColumns(items: readonly StoredItem[], filter: ItemFilter): unknown[] {
  const columns: unknown[][] = Array.from({ length: 15 }, () => [])
  for (const item of items) {
    const { id, key, category, categoryTitle, published, firstSeen, updated, summary, content, ...fields } = item
    const values = [
      id,
      key,
      category,
      categoryTitle ?? null,
      published,
      // Milliseconds, as Date.parse reads it, so that PostgreSQL orders items as the lowdb store does.
      new Date(Date.parse(published)).toISOString(),
      firstSeen,
      updated ?? null,
      JSON.stringify(fields),
      summary ?? null,
      content ?? null,
      filter.fingerprint,
      filter.accepts(item),
      // A literal, not a nested array: unnest would flatten an array of arrays.
      toArrayLiteral(filter.categoriesOf(item)),
      toSummaryText(item),
    ]
    values.forEach((value, index) => columns[index]?.push(value))
  }
  return columns
}

/** The columns toItemColumns fills, in its order. */
export const ITEM_INSERT_COLUMNS =
  'id, key, category, category_title, published, published_at, first_seen, updated, fields, summary, content, verdict_fingerprint, verdict, member_of, page_text'

const ITEM_ARRAYS = `$1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[], $15::text[]`

/** The rows toItemColumns' arrays make, as a FROM item named `v`. */
export const ITEM_INSERT_VALUES = `unnest(${ITEM_ARRAYS}) AS v (${ITEM_INSERT_COLUMNS})`

/** ITEM_INSERT_VALUES plus `$16`, each item's revision as read, as `v.revision`. */
export const ITEM_UPDATE_VALUES = `unnest(${ITEM_ARRAYS}, $16::integer[]) AS v (${ITEM_INSERT_COLUMNS}, revision)`

/** The values of ITEM_INSERT_COLUMNS from `v` (fields cast to jsonb, member_of to text[]). */
export const ITEM_INSERT_SELECT =
  'v.id, v.key, v.category, v.category_title, v.published, v.published_at, v.first_seen, v.updated, v.fields::jsonb, v.summary, v.content, v.verdict_fingerprint, v.verdict, v.member_of::text[], v.page_text'

/** A text[] literal (`{"a","b"}`) of `values`. */
export function toArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
}
