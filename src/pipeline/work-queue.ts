import type { Config } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import { createFetcher } from '../fetch/create-fetcher.js'
import { createArticleExtractor } from '../sources/share/create-article-extractor.js'
import type { JobQueue, SourceJob } from '../store/postgres/connect-queue.js'
import type { Logger } from '../types.js'
import { createEntryParser } from './create-entry-parser.js'
import { createStorePool } from './create-store-pool.js'
import { runSourceJob } from './run-source-job.js'

export interface WorkQueueOptions {
  /** The config now: a reread one applies to the next job. */
  config: () => Readonly<Config>
  queue: JobQueue
  /** Jobs run at once. */
  concurrency: number
  /** This worker's name in `feedloom status`. */
  name: string
  log: Logger
  /** Stops taking jobs; those running finish. */
  signal: AbortSignal
  /** @default () => new Date() */
  now?: () => Date
}

/** How often an idle worker asks for jobs, and writes its heartbeat. */
const POLL_MS = 500
const HEARTBEAT_MS = 5_000
/** Waits between attempts while the database does not answer: doubling up to this. */
const MAX_OUTAGE_WAIT_MS = 30_000

/**
 * The job loop of `feedloom worker`: takes refresh jobs up to `concurrency` at once, runs each
 * (one source, its own commit), tells the publisher what changed, and heartbeats its row. While
 * the database does not answer it says so once, waits longer and longer, and goes on when it answers.
 */
export async function workQueue(options: WorkQueueOptions): Promise<{ done: number; failed: number }> {
  const { queue, concurrency, name, log, signal, now = () => new Date() } = options
  // Per-host limits hold across all of this worker's jobs because they share one fetcher.
  const fetcher = createFetcher(options.config().fetch)
  const articles = createArticleExtractor()
  const parser = createEntryParser({ workers: options.config().fetch.workers })
  const stores = createStorePool(log)
  const counts = { done: 0, failed: 0 }
  const startedAt = now().toISOString()
  const outage = createOutageReporter(log, queue.label)
  const running = new Set<Promise<void>>()

  const runJob = async (job: SourceJob): Promise<void> => {
    // Whether this attempt committed changes: a retry must then announce them, not take them as never made.
    let stored = false
    try {
      const lock = await queue.lockSource(job.sourceId)
      // Another worker is fetching this source right now: this job's work is being done.
      if (lock === undefined) return await queue.completeSourceJob(job.id)
      try {
        const result = await runSourceJob({ config: options.config(), sourceId: job.sourceId, fetcher, articles, parser, stores, log, now: now() })
        stored = result.storeChanged
        // A retried job's first attempt may have committed and died before announcing it.
        if (result.storeChanged || job.isRetry) await queue.announceChanges(job.isRetry ? 'all' : [...result.changedCategories])
        await queue.completeSourceJob(job.id)
        counts.done++
      } finally {
        await lock.release()
      }
    } catch (err) {
      counts.failed++
      const { code, message } = describeError(err)
      log.error(`source ${job.sourceId}: job failed, it is tried again: ${message}`, { sourceId: job.sourceId, code })
      await queue.failSourceJob(job.id, message, stored).catch(() => undefined)
    }
  }

  const start = (job: SourceJob): void => {
    const task = runJob(job).finally(() => running.delete(task))
    running.add(task)
  }

  const beat = async (): Promise<void> => {
    try {
      await queue.beat({ name, startedAt, done: counts.done, failed: counts.failed })
      outage.recovered()
    } catch (err) {
      outage.failed(err)
    }
  }
  await beat()
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS)
  try {
    while (!signal.aborted) {
      const free = concurrency - running.size
      let taken = 0
      if (free > 0 && !outage.isDown()) {
        try {
          const jobs = await queue.takeSourceJobs(free)
          for (const job of jobs) start(job)
          taken = jobs.length
        } catch (err) {
          outage.failed(err)
        }
      }
      if (taken === 0 || running.size >= concurrency) await waitForAny([...running], outage.isDown() ? outage.waitMs() : POLL_MS, signal)
      if (outage.isDown()) await beat()
    }
    await Promise.all(running)
  } finally {
    clearInterval(heartbeat)
    await stores.close()
    await parser.close()
    await articles.close()
    await fetcher.close()
  }
  return counts
}

/** Says once that the database is gone (and why), once that it is back, and how long to wait meanwhile. */
function createOutageReporter(log: Logger, label: string) {
  let downSince: number | undefined
  let waitMs = 1000
  return {
    isDown: () => downSince !== undefined,
    waitMs: () => waitMs,
    failed(err: unknown) {
      if (downSince === undefined) {
        downSince = Date.now()
        waitMs = 1000
        log.error(`the database ${label} does not answer (${describeError(err).message}); the worker keeps trying and goes on when it is back`, {
          code: describeError(err).code,
        })
      } else waitMs = Math.min(waitMs * 2, MAX_OUTAGE_WAIT_MS)
    },
    recovered() {
      if (downSince === undefined) return
      log.info(`the database ${label} answers again after ${Math.round((Date.now() - downSince) / 1000)} s; taking jobs`)
      downSince = undefined
    },
  }
}

function waitForAny(tasks: Promise<void>[], ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
    for (const task of tasks) void task.then(done)
  })
}
