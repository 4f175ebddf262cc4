import type { Config } from '../config/config-schema.js'
import type { QueueState } from '../store/postgres/connect-queue.js'

export type { QueueState, WorkerRow } from '../store/postgres/connect-queue.js'

/** The workers, the job queue and the publisher of a PostgreSQL store; undefined for a file store, which has none. */
export async function readQueueStatus(config: Readonly<Config>): Promise<QueueState | undefined> {
  if (config.store.url === undefined) return undefined
  const { connectQueue } = await import('../store/postgres/connect-queue.js')
  const queue = await connectQueue({ url: config.store.url, leaseSeconds: config.queue.leaseSeconds, maintain: false })
  try {
    return await queue.describe()
  } finally {
    await queue.close()
  }
}
