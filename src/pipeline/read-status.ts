import type { Config } from '../config/config-schema.js'
import { openStore } from '../store/open-store.js'
import type { FailedOutput, SourceHealth } from '../types.js'
import { describeSourceHealth } from '../source-state/describe-source-health.js'

/** What `feedloom status` shows. */
export interface StatusReport {
  /** Every configured source, in config order. */
  sources: SourceHealth[]
  /** Outputs the last cycle or build could not write; the next cycle writes them again. */
  failedOutputs: FailedOutput[]
}

/** Reads the store without taking its lock (a worker may hold it): every source's health and the outputs that failed. */
export async function readStatus(config: Readonly<Config>, now: Date): Promise<StatusReport> {
  const store = await openStore({ path: config.store.path, url: config.store.url, lock: false })
  try {
    return { sources: describeSourceHealth(config, await store.sourceStates(), now), failedOutputs: (await store.publishRecord()).failedOutputs ?? [] }
  } finally {
    await store.close()
  }
}
