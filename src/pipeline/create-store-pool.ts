import type { Config } from '../config/config-schema.js'
import { createItemFilter } from '../publish/filter-items.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import type { Logger } from '../types.js'

/** The store handles of one worker's jobs, kept open between jobs. */
export interface StorePool {
  /** An idle handle opened under `config`, or a new one. */
  take(config: Readonly<Config>): Promise<Store>
  /** Back for the next job: its transaction ended in commit(). */
  give(store: Store): Promise<void>
  /** Closed (rolling back what it staged): its transaction failed or its connection is gone. */
  discard(store: Store): Promise<void>
  close(): Promise<void>
}

/**
 * Keeps the handles of finished jobs for the next ones. Opening a PostgreSQL handle per job cost
 * the server a new backend each time (its start, authentication, and catalog and plan caches
 * built anew), which was most of the database's CPU per feed. A handle is still one transaction
 * at a time, so a job holds one of its own; a reread config opens new handles under its filter.
 */
export function createStorePool(log: Logger): StorePool {
  const idle: Store[] = []
  const openedUnder = new Map<Store, Readonly<Config>>()
  let current: Readonly<Config> | undefined
  const discard = async (store: Store): Promise<void> => {
    openedUnder.delete(store)
    await store.close().catch(() => undefined)
  }
  return {
    async take(config) {
      if (config !== current) {
        current = config
        await Promise.all(idle.splice(0).map(discard))
      }
      const reused = idle.pop()
      if (reused !== undefined) return reused
      const store = await openStore({
        path: config.store.path,
        url: config.store.url,
        lock: false,
        filter: createItemFilter(config),
        log,
        sourceOrder: config.sources.map((one) => one.id),
      })
      openedUnder.set(store, config)
      return store
    },
    async give(store) {
      if (openedUnder.get(store) === current && !store.hasChanges()) idle.push(store)
      else await discard(store)
    },
    discard,
    async close() {
      await Promise.all([...openedUnder.keys()].map(discard))
      idle.length = 0
    },
  }
}
