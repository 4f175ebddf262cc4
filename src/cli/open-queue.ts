import type { Config } from '../config/config-schema.js'
import type { JobQueue } from '../store/postgres/connect-queue.js'
import type { CommandContext } from './command-context.js'
import { UsageError } from '../errors.js'

/** The job queue of the config's PostgreSQL store, for `worker` and `publish`; a file store is refused with what to do. */
export async function openQueue(context: CommandContext, config: Readonly<Config>, command: string): Promise<JobQueue> {
  const url = config.store.url
  if (url === undefined) {
    throw new UsageError(
      `${command} needs a PostgreSQL store: the queue of jobs lives in it`,
      'set store.url in the config (or FEEDLOOM_STORE_URL) to postgres://user:password@host:5432/database; with a file store, use feedloom start',
    )
  }
  const { connectQueue } = await import('../store/postgres/connect-queue.js')
  let lastReportMs = 0
  return connectQueue({
    url,
    leaseSeconds: config.queue.leaseSeconds,
    // pg-boss retries its own background work; one line a minute says the database is still away.
    onError: (err) => {
      if (Date.now() - lastReportMs < 60_000) return
      lastReportMs = Date.now()
      context.log.warn(`job queue: ${err.message}; retrying`)
    },
  })
}
