import type { Config } from '../config/config-schema.js'
import { createItemFilter } from '../publish/filter-items.js'
import { publishOutputs, type PublishResult } from '../publish/publish-outputs.js'
import { publishStatus } from '../publish/publish-status.js'
import { type AcquireStoreLockOptions, openStore } from '../store/open-store.js'
import type { Logger } from '../types.js'
import { describeSourceHealth } from '../source-state/describe-source-health.js'
import { hasFailedOutputs, recordFailedOutputs } from './record-failed-outputs.js'
import { recordJekyllPosts } from './record-jekyll-posts.js'
import { hasOutputs } from './run-cycle.js'

export interface BuildOptions {
  /** Where removed and left-alone Jekyll posts are reported. */
  log: Logger
  /** How to take the store lock (wait for it, name the holder), or false for a PostgreSQL store's publisher, which needs none. @default {} (fail at once when held) */
  lock?: AcquireStoreLockOptions | false
  /** The clock status.json's states are judged by. @default new Date() */
  now?: Date
  /**
   * Only these categories' feeds (and the all-categories ones), unless out/ lacks its feeds or an
   * earlier output failed: then every one. @default 'all'
   */
  changedCategories?: ReadonlySet<string> | 'all'
  /** Apply retention first (the publisher of `feedloom worker`s, which prune nothing). @default false */
  retention?: boolean
}

/**
 * Regenerates every output, and out/status.json, from the store without fetching; files whose
 * bytes are unchanged are left alone. Records which outputs failed (or no longer fail) for the
 * next cycle and `status`, and which Jekyll posts feedloom owns. Takes the store lock: a cycle
 * must not change the store half-way through.
 */
export async function buildOutputs(config: Readonly<Config>, options: BuildOptions): Promise<PublishResult> {
  const { log, lock = {}, now = new Date(), retention = false } = options
  const store = await openStore({ path: config.store.path, url: config.store.url, lock, filter: createItemFilter(config) })
  try {
    const pruned = retention ? await store.prune({ ...config.store, now }) : undefined
    const wanted = options.changedCategories ?? 'all'
    const isPartial = wanted !== 'all' && (await hasOutputs(config)) && !(await hasFailedOutputs(store))
    const changedCategories = isPartial ? new Set([...wanted, ...(pruned?.changedCategories ?? [])]) : 'all'
    const feeds = await publishOutputs({ items: store, config, changedCategories, now, jekyllPosts: (await store.publishRecord()).jekyllPosts })
    await recordJekyllPosts(feeds, store, log)
    for (const file of feeds.removedPages ?? []) log.info(`removed ${file}: the category has fewer pages now`, { file })
    const status = await publishStatus({
      health: describeSourceHealth(config, await store.sourceStates(), now),
      outputDir: config.output.dir,
      alertAfterHours: config.health.alertAfterHours,
    })
    const failed = [...feeds.failed, ...status.failed]
    await recordFailedOutputs(store, failed, now)
    // Only these records, and the filter verdicts of a changed config (so the next cycle need not
    // judge every item again), can have changed: `build` leaves the rest of the store as it found it.
    await store.commit()
    return {
      written: [...feeds.written, ...status.written],
      unchanged: feeds.unchanged + status.unchanged,
      failed,
      removed: feeds.removed,
      removedPages: feeds.removedPages,
    }
  } finally {
    await store.close()
  }
}
