import path from 'node:path'
import type { Config } from '../config/config-schema.js'
import { filterItems } from '../publish/filter-items.js'
import type { PublishResult } from '../publish/publish-outputs.js'
import { STATUS_FILE } from '../publish/publish-status.js'
import { jekyllPostFileName } from '../publish/render-jekyll-post.js'
import type { PruneResult, UpsertResult } from '../store/open-store.js'
import type { StoredItem } from '../types.js'

/** One output file a dry run would write or delete, and why. */
export interface PlannedChange {
  /** Relative to output.dir, '/' separated. */
  file: string
  action: 'write' | 'remove'
  /** For people: `2 new, 1 updated`, `source health changed`. */
  why: string
}

interface Tally {
  new: number
  updated: number
  merged: number
  pruned: number
  filtered: number
}

const TALLY_NAMES = ['new', 'updated', 'merged', 'pruned', 'filtered'] as const

/**
 * Explains each file a dry run would touch by the item changes behind it: a category's files by
 * that category's items, the all-categories files (and index.html, feeds.opml) by every item.
 * `filtered` counts new or updated items that the config's filters keep out of the outputs.
 */
export function describePlannedChanges(options: {
  published: PublishResult
  upserted: UpsertResult
  pruned: PruneResult
  config: Readonly<Config>
}): PlannedChange[] {
  const { published, upserted, pruned, config } = options
  const changedItems = [...upserted.added, ...upserted.updated]
  const filteredIds = new Set(filterItems(changedItems, config).filtered.map(({ item }) => item.id))
  const addedIds = new Set(upserted.added.map((item) => item.id))
  const updatedIds = new Set(upserted.updated.map((item) => item.id))
  const tallies = new Map<string, Tally>()
  const count = (item: Pick<StoredItem, 'category'>, name: keyof Tally) => {
    for (const key of [item.category, '']) {
      const tally = tallies.get(key) ?? { new: 0, updated: 0, merged: 0, pruned: 0, filtered: 0 }
      tally[name] += 1
      tallies.set(key, tally)
    }
  }
  for (const item of changedItems) count(item, filteredIds.has(item.id) ? 'filtered' : addedIds.has(item.id) ? 'new' : 'updated')
  for (const item of upserted.mergedItems) if (!addedIds.has(item.id)) count(item, 'merged')
  for (const item of pruned.prunedItems) count(item, 'pruned')
  const postReasons = describePosts([...upserted.added, ...upserted.updated], config, addedIds, updatedIds)
  const writes = published.written.map((file): PlannedChange => ({ file, action: 'write', why: explainFile(file, tallies, postReasons, config) }))
  const removals = published.removed.map((file): PlannedChange => ({ file, action: 'remove', why: 'post left the live window or is no longer published' }))
  const pageRemovals = (published.removedPages ?? []).map((file): PlannedChange => ({ file, action: 'remove', why: 'the category has fewer pages now' }))
  return [...writes, ...removals, ...pageRemovals].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

function explainFile(file: string, tallies: Map<string, Tally>, postReasons: Map<string, string>, config: Readonly<Config>): string {
  if (file === STATUS_FILE) return 'source health changed'
  const postReason = postReasons.get(file)
  if (postReason !== undefined) return postReason
  if (config.output.jekyll !== undefined && file.startsWith(`${config.output.jekyll.dir}/`)) return 'post missing or regenerated'
  // A category's files, its later pages (`<category>/page/2.html`) included, count its items.
  const slash = file.indexOf('/')
  const tally = tallies.get(slash === -1 ? '' : file.slice(0, slash))
  const parts = TALLY_NAMES.flatMap((name) => (tally !== undefined && tally[name] > 0 ? [`${tally[name]} ${name}`] : []))
  return parts.length > 0 ? parts.join(', ') : 'no item changed (a new file, or settings changed)'
}

/** Jekyll post path → why, for the posts of new and updated items. */
function describePosts(items: readonly StoredItem[], config: Readonly<Config>, addedIds: Set<string>, updatedIds: Set<string>): Map<string, string> {
  const reasons = new Map<string, string>()
  const jekyll = config.output.jekyll
  if (jekyll === undefined) return reasons
  for (const item of items) {
    if (item.infoCode === undefined) continue
    const file = path.posix.join(jekyll.dir, jekyllPostFileName(item, config.site.timezone))
    reasons.set(file, addedIds.has(item.id) ? 'post of a new item' : updatedIds.has(item.id) ? 'post of an updated item' : 'post regenerated')
  }
  return reasons
}
