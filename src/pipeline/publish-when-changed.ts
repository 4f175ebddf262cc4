import { setTimeout as delay } from 'node:timers/promises'
import type { Config } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import type { PublishResult } from '../publish/publish-outputs.js'
import type { JobQueue } from '../store/postgres/connect-queue.js'
import type { Logger } from '../types.js'
import { buildOutputs } from './build-outputs.js'

export interface PublishWhenChangedOptions {
  config: () => Readonly<Config>
  queue: JobQueue
  log: Logger
  /** Stops after the publish in progress. */
  signal: AbortSignal
  /** Keep publishing as changes arrive until `signal`; else publish once and return. */
  watch: boolean
  /** Told after each publish. */
  onPublished?: (result: PublishResult, categories: ReadonlySet<string> | 'all') => void
}

/** How often the publisher looks for announced changes. */
const POLL_MS = 500
/**
 * The least time from the start of one publish to the start of the next. While items pour in,
 * every category changes between two polls, and publishing each time read and rendered them all
 * again for a few items each: the changes of this long go into one publish instead.
 */
const MIN_PUBLISH_GAP_MS = 3000

/**
 * The one publisher over a queue of `feedloom worker`s: it holds a PostgreSQL advisory lock (a
 * second publisher stands by), applies retention, and regenerates the outputs of the categories
 * the workers announced as changed, the first time every output. An announcement made while it
 * publishes is taken by the next publish, so no stored item is left unpublished.
 * @returns whether it published (false: stopped while standing by)
 */
export async function publishWhenChanged(options: PublishWhenChangedOptions): Promise<boolean> {
  const { queue, log, signal, watch } = options
  let published = false
  let first = true
  const standBy = () => log.info(`another publisher holds the publish lock of ${queue.label}; standing by until it stops`)
  while (!signal.aborted) {
    let startedMs: number | undefined
    try {
      if (!(await queue.becomePublisher(signal, standBy))) break
      // Taken before publishing: announcements made from here on wait for the next publish.
      const requests = await queue.takePublishRequests()
      if (first || requests.ids.length > 0) {
        startedMs = Date.now()
        const categories = first ? 'all' : requests.categories
        const result = await buildOutputs(options.config(), { log, lock: false, changedCategories: categories, retention: true })
        await queue.completePublishRequests(requests.ids)
        published = true
        first = false
        options.onPublished?.(result, categories)
      }
    } catch (err) {
      // Announcements not completed come back after their lease: nothing is lost, only late.
      const { code, message } = describeError(err)
      log.error(`publish failed, trying again: ${message}`, { code })
    }
    if (!watch && published) break
    await waitUnlessAborted(startedMs === undefined ? POLL_MS : Math.max(POLL_MS, startedMs + MIN_PUBLISH_GAP_MS - Date.now()), signal)
  }
  return published
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined)
}
