import { setTimeout as delay } from 'node:timers/promises'
import type { Config } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import { enqueueDueSources } from '../pipeline/enqueue-due-sources.js'
import { workQueue } from '../pipeline/work-queue.js'
import type { JobQueue } from '../store/postgres/connect-queue.js'
import type { Logger } from '../types.js'
import { startWorker } from './start-worker.js'

export interface RunQueueWorkerOptions {
  config: Readonly<Config>
  /** The queue in the store's database; the caller closes it. */
  queue: JobQueue
  /** Shown by `feedloom status`. */
  name: string
  /** Jobs run at once. */
  concurrency: number
  log: Logger
  /** Aborted when the worker is asked to stop: no new jobs, the running ones finish. */
  signal: AbortSignal
}

/**
 * `feedloom worker`: one of any number of processes sharing a PostgreSQL store's sources. It puts
 * the due sources on the queue on start and on every tick of the schedule (as every worker does:
 * the queue keeps one job per source and period), and runs jobs until SIGINT/SIGTERM, then lets
 * its running jobs finish and exits 0.
 */
export async function runQueueWorker(options: RunQueueWorkerOptions): Promise<{ done: number; failed: number }> {
  const { config, queue, name, concurrency, log, signal } = options
  let periodMs = 0
  const scheduler = startWorker({
    schedule: config.schedule,
    timezone: config.site.timezone,
    runCycle: async () => {
      // startWorker calls this before it returns the period; one turn later it is known.
      await Promise.resolve()
      // A database that is away at a tick must not cost a whole period: ask again until it answers.
      for (let waitMs = 1000; !signal.aborted; waitMs = Math.min(waitMs * 2, 30_000)) {
        try {
          const { due, added } = await enqueueDueSources(config, queue, periodMs / 1000 || DEFAULT_PERIOD_SECONDS, new Date())
          log.info(`${due} sources due, ${added} new jobs queued (the rest already were)`, { due, added })
          return
        } catch (err) {
          const { code, message } = describeError(err)
          log.error(`could not queue the due sources, trying again in ${waitMs / 1000} s: ${message}`, { code })
          await waitUnlessAborted(waitMs, signal)
        }
      }
    },
  })
  periodMs = scheduler.periodMs
  log.info(`worker ${name} started: ${concurrency} jobs at once, schedule "${config.schedule}" (${config.site.timezone}), store ${queue.label}; stop with Ctrl-C`)
  const counts = await workQueue({ config: () => config, queue, concurrency, name, log, signal })
  await scheduler.stop()
  await queue.leave().catch(() => undefined)
  log.info(`${String(signal.reason)}: worker ${name} stopped after ${counts.done} jobs done, ${counts.failed} failed`)
  return counts
}

/** When the schedule's period cannot be told (it is read at the first tick): five minutes, the default schedule's. */
const DEFAULT_PERIOD_SECONDS = 300

/** Resolves after `ms`, or at once when `signal` aborts. */
function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined)
}
