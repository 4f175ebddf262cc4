import path from 'node:path'
import type { Config } from '../config/config-schema.js'
import type { PageItem } from '../types.js'
import type { PublishedItems } from './plan-feeds.js'

/**
 * What the pages past a feed's newest items show of the published items of one category, newest
 * first, from `offset` on: the one place those pages get their items from.
 */
export type PageItems = (query: { category: string; offset: number; limit: number }) => Promise<PageItem[]>

/** Pages after the first live under the category's directory: `<category>/page/2.html`, … */
export const PAGES_DIR = 'page'

/** The file name of a page after the first, which is the category's index.html. */
export const PAGE_FILE = /^([1-9][0-9]*)\.html$/

/** Items on each page of a category: as many as its feeds carry, so the first page is the feed. */
export function pageSizeOf(config: Config, category: string): number {
  return config.categories[category]?.maxItems ?? config.output.itemsPerFeed
}

/** At least one page, so an empty category still has its index.html. */
export function countPages(itemCount: number, pageSize: number): number {
  return Math.max(1, Math.ceil(itemCount / pageSize))
}

/** Relative to output.dir, with '/' separators. */
export function pageFileOf(category: string, page: number): string {
  return page === 1 ? path.posix.join(category, 'index.html') : path.posix.join(category, PAGES_DIR, `${page}.html`)
}

/** Pages from the store: only the page's own items are read, and not their bodies. */
export function createPageItems(items: Pick<PublishedItems, 'pageItems'>): PageItems {
  return ({ category, offset, limit }) => items.pageItems({ category, limit, offset })
}
