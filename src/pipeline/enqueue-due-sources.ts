import type { Config } from '../config/config-schema.js'
import { openStore } from '../store/open-store.js'
import type { JobQueue } from '../store/postgres/connect-queue.js'
import { resetForConfiguredUrl } from '../source-state/track-source-url.js'

/**
 * The schedule's tick on a queue: one job per due source, that is every configured source except
 * those backing off (after failures or a Retry-After) and those retired by a 410 whose URL is
 * still the one that answered it. Every worker calls it; the queue keeps one job per source and
 * schedule period.
 * @returns the sources due, and how many of their jobs were new
 */
export async function enqueueDueSources(config: Readonly<Config>, queue: JobQueue, periodSeconds: number, now: Date): Promise<{ due: number; added: number }> {
  const store = await openStore({ path: config.store.path, url: config.store.url, lock: false })
  let states
  try {
    states = await store.sourceStates()
  } finally {
    await store.close()
  }
  const due = config.sources.filter((source) => {
    const stored = states.get(source.id)
    if (stored === undefined) return true
    const state = 'url' in source ? resetForConfiguredUrl(stored, source.url) : stored
    if (state.retiredAt !== undefined) return false
    return state.nextAttemptAt === undefined || Date.parse(state.nextAttemptAt) <= now.getTime()
  })
  const added = await queue.enqueueSources(
    due.map((source) => source.id),
    periodSeconds,
  )
  return { due: due.length, added }
}
