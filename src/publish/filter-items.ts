import { createHash } from 'node:crypto'
import type { Config, FiltersConfig } from '../config/config-schema.js'
import { htmlToText } from '../text/html-to-text.js'
import type { ItemFilter, StoredItem } from '../types.js'
import { listItemMembership, listSourceCategories } from './list-item-membership.js'

type FilterField = 'title' | 'content' | 'author' | 'media' | 'category'

export interface FilteredItem {
  item: StoredItem
  /** Which rule kept it out, e.g. `source nbd: exclude title "/广告/"` or `category meirijingjixinwen: no include rule matched`. */
  rule: string
}

export interface FilterItemsResult {
  /** Items every applicable filter lets through, in input order. */
  published: StoredItem[]
  filtered: FilteredItem[]
}

interface CompiledRule {
  field: FilterField
  /** The rule as written in the config, for reports. */
  pattern: string
  matches: (text: string) => boolean
}

interface CompiledFilters {
  /** `source nbd` or `category meirijingjixinwen`. */
  scope: string
  include: CompiledRule[]
  exclude: CompiledRule[]
}

const REGEX_RULE = /^\/(.+)\/([a-z]*)$/s

/**
 * Applies `sources[].filters` (to items whose first source is that source) and
 * `categories[slug].filters` (to items of that category). An item is published when, for each
 * filter that applies, it matches some include rule (or there are none) and no exclude rule.
 * Pure: the store keeps every item, so changing a rule and running `build` republishes them.
 */
export function filterItems(items: readonly StoredItem[], config: Config): FilterItemsResult {
  const { bySource, byCategory } = compileConfigFilters(config)
  if (bySource.size === 0 && byCategory.size === 0) return { published: [...items], filtered: [] }
  const result: FilterItemsResult = { published: [], filtered: [] }
  for (const item of items) {
    const rule = findBlockingRule(item, applicableFilters(item, bySource, byCategory), config)
    if (rule === undefined) result.published.push(item)
    else result.filtered.push({ item, rule })
  }
  return result
}

/**
 * The same rules as filterItems, one item at a time, and the categories each item is published in
 * (listItemMembership), for the store to keep a verdict and a membership list per item. The
 * fingerprint covers everything either depends on: the filters, the category titles a `category`
 * rule reads, and the sources' configured categories.
 */
export function createItemFilter(config: Config): ItemFilter {
  const { bySource, byCategory } = compileConfigFilters(config)
  const sourceCategories = listSourceCategories(config)
  const categoriesOf = (item: StoredItem): string[] => listItemMembership(item, sourceCategories)
  const hasFilters = bySource.size > 0 || byCategory.size > 0
  if (!hasFilters && sourceCategories.size === 0) return { fingerprint: 'none', accepts: () => true, categoriesOf }
  const rules = {
    sources: config.sources.flatMap((source) => (source.filters ? [[source.id, source.filters]] : [])),
    categories: Object.entries(config.categories).map(([slug, category]) => [slug, category.title ?? null, category.filters ?? null]),
    sourceCategories: [...sourceCategories].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  }
  return {
    fingerprint: createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16),
    accepts: hasFilters ? (item) => findBlockingRule(item, applicableFilters(item, bySource, byCategory), config) === undefined : () => true,
    categoriesOf,
  }
}

function compileConfigFilters(config: Config): { bySource: Map<string, CompiledFilters>; byCategory: Map<string, CompiledFilters> } {
  const bySource = new Map<string, CompiledFilters>()
  for (const source of config.sources) {
    if (source.filters) bySource.set(source.id, compileFilters(`source ${source.id}`, source.filters))
  }
  const byCategory = new Map<string, CompiledFilters>()
  for (const [slug, category] of Object.entries(config.categories)) {
    if (category.filters) byCategory.set(slug, compileFilters(`category ${slug}`, category.filters))
  }
  return { bySource, byCategory }
}

function applicableFilters(
  item: StoredItem,
  bySource: Map<string, CompiledFilters>,
  byCategory: Map<string, CompiledFilters>,
): CompiledFilters[] {
  return [bySource.get(item.sources[0] ?? ''), byCategory.get(item.category)].filter((filters) => filters !== undefined)
}

function findBlockingRule(item: StoredItem, applicable: CompiledFilters[], config: Config): string | undefined {
  if (applicable.length === 0) return undefined
  const texts = new Map<FilterField, string[]>()
  const textsOf = (field: FilterField): string[] => {
    let values = texts.get(field)
    if (!values) texts.set(field, (values = fieldTexts(item, field, config)))
    return values
  }
  const matches = (rule: CompiledRule) => textsOf(rule.field).some(rule.matches)
  for (const filters of applicable) {
    if (filters.include.length > 0 && !filters.include.some(matches)) return `${filters.scope}: no include rule matched`
    const excluded = filters.exclude.find(matches)
    if (excluded) return `${filters.scope}: exclude ${excluded.field} ${JSON.stringify(excluded.pattern)}`
  }
  return undefined
}

/** The texts a rule on `field` is matched against; a rule matches when it matches any of them. */
function fieldTexts(item: StoredItem, field: FilterField, config: Config): string[] {
  switch (field) {
    case 'title':
      return [item.title]
    case 'content':
      // Text, not markup: a rule on "p" or "class" should not match every item.
      return [htmlToText(item.content ?? ''), htmlToText(item.summary ?? '')].filter((text) => text !== '')
    case 'author':
      return item.author ? [item.author] : []
    case 'media':
      return item.media ? [item.media] : []
    case 'category':
      return [item.category, config.categories[item.category]?.title ?? item.categoryTitle ?? '', ...item.categories].filter(
        (text) => text !== '',
      )
  }
}

function compileFilters(scope: string, filters: FiltersConfig): CompiledFilters {
  const compile = (rules: FiltersConfig['include']): CompiledRule[] =>
    Object.entries(rules ?? {}).flatMap(([field, patterns]) =>
      (patterns ?? []).map((pattern) => compileRule(field as FilterField, pattern, filters.caseSensitive)),
    )
  return { scope, include: compile(filters.include), exclude: compile(filters.exclude) }
}

function compileRule(field: FilterField, pattern: string, caseSensitive: boolean): CompiledRule {
  const regex = toRegex(pattern, caseSensitive)
  if (regex) return { field, pattern, matches: (text) => regex.test(text) }
  const needle = caseSensitive ? pattern : pattern.toLowerCase()
  return { field, pattern, matches: (text) => (caseSensitive ? text : text.toLowerCase()).includes(needle) }
}

/** `/…/flags` as a RegExp, or undefined for a plain word. The config loader has checked that it compiles. */
function toRegex(pattern: string, caseSensitive: boolean): RegExp | undefined {
  const parts = REGEX_RULE.exec(pattern)
  if (!parts) return undefined
  // g and y make test() stateful (lastIndex), which would make a rule match every other item.
  let flags = (parts[2] ?? '').replace(/[gy]/g, '')
  if (!caseSensitive && !flags.includes('i')) flags += 'i'
  return new RegExp(parts[1] ?? '', flags)
}
