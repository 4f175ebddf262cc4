import { setTimeout as delay } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import PgBoss from 'pg-boss'
import { StoreError } from '../../errors.js'
import { connectPostgres, type PostgresConnection } from './connect-postgres.js'
import { describePostgresUrl } from './describe-postgres-url.js'

/** A refresh job taken from the queue: one source to fetch, upsert and commit. */
export interface SourceJob {
  id: string
  sourceId: string
  /**
   * Set when an earlier attempt of this job was given up on (its worker died or its lease ran out),
   * so it may have stored changes it did not get to announce.
   */
  isRetry: boolean
}

/** What changed in the store since the publisher last published, as the workers announced it. */
export interface PublishRequests {
  ids: string[]
  /** 'all' when some announcement could not say which categories (a retried job). */
  categories: Set<string> | 'all'
}

/** One row of `feedloom status`'s workers. */
export interface WorkerRow {
  host: string
  pid: number
  name: string
  startedAt: string
  lastHeartbeat: string
  done: number
  failed: number
}

export interface QueueState {
  workers: WorkerRow[]
  queue: { due: number; running: number; failed: number; idle: boolean }
  publisher: { pending: boolean; lastPublishAt?: string }
}

/**
 * The work queue kept in the store's PostgreSQL database: refresh jobs, one per due source;
 * announcements of stored changes for the publisher; the workers' heartbeat rows; and the
 * advisory locks that keep one source to one worker and out/ to one publisher.
 */
export interface JobQueue {
  /** The server URL without its password, for messages. */
  readonly label: string
  /** This process as its heartbeat row names it. */
  readonly host: string
  readonly pid: number
  /**
   * Puts one job per source on the queue, unless one for that source was already put there in the
   * same period of `periodSeconds` (by any worker): N workers on one schedule enqueue each once.
   * @returns how many jobs were new
   */
  enqueueSources(sourceIds: readonly string[], periodSeconds: number): Promise<number>
  /** Takes up to `max` jobs, each leased for queue.leaseSeconds. */
  takeSourceJobs(max: number): Promise<SourceJob[]>
  completeSourceJob(id: string): Promise<void>
  /** Gives the job back for a retry, saying whether its attempt stored changes (the retry then announces them). */
  failSourceJob(id: string, message: string, stored: boolean): Promise<void>
  /**
   * Holds the source for this process until release(); undefined when another worker holds it
   * (it is being fetched now). The server lets go by itself when this process's connection drops.
   */
  lockSource(sourceId: string): Promise<{ release(): Promise<void> } | undefined>
  /** Tells the publisher that these categories changed in the store ('all': anything may have). */
  announceChanges(categories: readonly string[] | 'all'): Promise<void>
  /** Every announcement not yet published; later ones wait for the next call. */
  takePublishRequests(): Promise<PublishRequests>
  completePublishRequests(ids: readonly string[]): Promise<void>
  /**
   * Waits until this process is the only publisher (a PostgreSQL advisory lock), calling
   * `onStandby` once if another holds it. Resolves false when `signal` aborts first. Call it
   * before every publish: a database restart drops the lock, and another publisher may win it.
   */
  becomePublisher(signal: AbortSignal, onStandby: () => void): Promise<boolean>
  /** Writes this worker's heartbeat row. */
  beat(row: Omit<WorkerRow, 'host' | 'pid' | 'lastHeartbeat'>): Promise<void>
  /** Removes this worker's row: it stopped cleanly. */
  leave(): Promise<void>
  describe(): Promise<QueueState>
  close(): Promise<void>
}

export interface ConnectQueueOptions {
  /** `store.url`. */
  url: string
  /** `queue.leaseSeconds`: an active job not done after this long is given to another worker. */
  leaseSeconds: number
  /** Errors pg-boss meets in the background (maintenance while the database restarts). */
  onError?: (err: Error) => void
  /** Give expired jobs back to the queue in the background: workers and publishers do, `status` does not. @default true */
  maintain?: boolean
}

const SOURCE_QUEUE = 'feedloom-source'
const PUBLISH_QUEUE = 'feedloom-publish'
/** A job given up on this many times is left failed (status counts it); the next period enqueues its source again. */
const RETRY_LIMIT = 5
/** Any 64-bit number of our own, the key of the publisher's advisory lock. */
const PUBLISHER_LOCK_KEY = 7_460_816_911_201
/**
 * pg-boss refuses a singleton period longer than the time it keeps completed jobs (12 h by
 * default). A longer schedule ticks at most once in such a window, so the workers' enqueues of one
 * tick still land in one window and dedupe.
 */
const MAX_SINGLETON_SECONDS = 43_200

function singletonSecondsOf(periodSeconds: number): number {
  return Math.min(MAX_SINGLETON_SECONDS, Math.max(1, Math.round(periodSeconds)))
}

/** Any 64-bit number of our own, the key of the lock that lets one process at a time set up the queue. */
const QUEUE_SETUP_LOCK_KEY = 7_460_816_911_203
/** Jobs queued per statement: one JSON parameter each, kept to a few hundred kilobytes. */
const JOBS_PER_INSERT = 1000
/** The announcements one publish takes at most; more wait for the next. */
const MAX_PUBLISH_REQUESTS = 10_000

/**
 * Connects to the queue in the store's database, installing pg-boss's schema on first use.
 * @throws StoreError E_STORE_CONNECT when the database does not answer
 */
export async function connectQueue(options: ConnectQueueOptions): Promise<JobQueue> {
  const label = describePostgresUrl(options.url)
  const schema = queueSchemaOf(options.url)
  const boss = new PgBoss({
    connectionString: options.url,
    schema,
    application_name: 'feedloom-queue',
    max: 4,
    // A dead worker's job goes back to the queue within a quarter of the lease after it ran out.
    maintenanceIntervalSeconds: Math.max(1, Math.floor(options.leaseSeconds / 4)),
    supervise: options.maintain ?? true,
    schedule: false,
  })
  boss.on('error', (err) => options.onError?.(err))
  // Workers and publishers started together on a fresh database would create pg-boss's tables and
  // queue partitions at once, and PostgreSQL fails such concurrent DDL (deadlocks, duplicate types):
  // one process at a time sets up, the others then find everything there.
  let setup: PostgresConnection | undefined
  try {
    setup = await connectPostgres(options.url)
    await setup.query('waiting for another process setting up the job queue', 'SELECT pg_advisory_lock($1)', [QUEUE_SETUP_LOCK_KEY])
    await boss.start()
    for (const name of [SOURCE_QUEUE, PUBLISH_QUEUE]) {
      await boss.createQueue(name, { name, policy: 'standard', retryLimit: RETRY_LIMIT, retryDelay: 0, expireInSeconds: options.leaseSeconds })
    }
    await boss.getDb().executeSql(
      `CREATE TABLE IF NOT EXISTS ${schema}.feedloom_workers (
         host text NOT NULL, pid int NOT NULL, name text NOT NULL, started_at timestamptz NOT NULL,
         last_heartbeat timestamptz NOT NULL, done int NOT NULL, failed int NOT NULL, PRIMARY KEY (host, pid))`,
      [],
    )
  } catch (cause) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined)
    throw new StoreError('E_STORE_CONNECT', `cannot open the job queue in the PostgreSQL store ${label}: ${(cause as Error).message}`, { cause })
  } finally {
    // Closing the session releases its lock.
    await setup?.close().catch(() => undefined)
  }
  const db = boss.getDb()
  const sql = async <Row>(what: string, text: string, values: unknown[] = []): Promise<Row[]> => {
    try {
      return (await db.executeSql(text, values)).rows as Row[]
    } catch (cause) {
      throw new StoreError('E_STORE_IO', `${what} failed in the job queue of ${label}: ${(cause as Error).message}`, { cause })
    }
  }
  const host = hostname()
  const locks = createLockSession(options.url)

  return {
    label,
    host,
    pid: process.pid,
    async enqueueSources(sourceIds, periodSeconds) {
      const singletonSeconds = singletonSecondsOf(periodSeconds)
      let added = 0
      // One statement per batch, not per source: thousands of sources were queued one round trip
      // each. The singleton key and period still keep one job per source and period, whichever
      // worker inserts it; pg-boss's insert skips the others silently, so the ids we chose tell
      // which jobs are new.
      for (let start = 0; start < sourceIds.length; start += JOBS_PER_INSERT) {
        const jobs = sourceIds.slice(start, start + JOBS_PER_INSERT).map((sourceId) => ({ id: randomUUID(), name: SOURCE_QUEUE, data: { sourceId }, singletonKey: sourceId, singletonSeconds }))
        try {
          await boss.insert(jobs)
        } catch (cause) {
          throw new StoreError('E_STORE_IO', `queueing the due sources failed in the job queue of ${label}: ${(cause as Error).message}`, { cause })
        }
        const [row] = await sql<{ added: number }>(
          'counting the jobs queued',
          `SELECT count(*)::integer AS added FROM ${schema}.job WHERE name = $1 AND id = ANY($2::uuid[])`,
          [SOURCE_QUEUE, jobs.map((job) => job.id)],
        )
        added += row?.added ?? 0
      }
      return added
    },
    async takeSourceJobs(max) {
      if (max <= 0) return []
      const jobs = await boss.fetch<{ sourceId: string }>(SOURCE_QUEUE, { batchSize: max, includeMetadata: true })
      return jobs.map((job) => ({ id: job.id, sourceId: job.data.sourceId, isRetry: job.retryCount > 0 && !isFailedUnstored(job.output) }))
    },
    async completeSourceJob(id) {
      await boss.complete(SOURCE_QUEUE, id)
    },
    async failSourceJob(id, message, stored) {
      await boss.fail(SOURCE_QUEUE, id, { message, stored })
    },
    lockSource: (sourceId) => locks.tryLock(sourceLockKey(sourceId)),
    async announceChanges(categories) {
      await boss.send(PUBLISH_QUEUE, { categories: categories === 'all' ? 'all' : [...categories] }, { retryLimit: RETRY_LIMIT })
    },
    async takePublishRequests() {
      const jobs = await boss.fetch<{ categories: string[] | 'all' }>(PUBLISH_QUEUE, { batchSize: MAX_PUBLISH_REQUESTS, includeMetadata: true })
      let categories: Set<string> | 'all' = new Set()
      for (const job of jobs) {
        // A retried announcement's publisher died mid-publish: what it had half-written is unknown.
        if (job.data.categories === 'all' || job.retryCount > 0) categories = 'all'
        else if (categories !== 'all') for (const category of job.data.categories) categories.add(category)
      }
      return { ids: jobs.map((job) => job.id), categories }
    },
    async completePublishRequests(ids) {
      if (ids.length > 0) await boss.complete(PUBLISH_QUEUE, [...ids])
    },
    async becomePublisher(signal, onStandby) {
      let toldStandby = false
      while (!signal.aborted) {
        try {
          // Asked again before every publish: after a lost connection the lock must be won anew.
          if ((await locks.tryLock(PUBLISHER_LOCK_KEY, true)) !== undefined) return true
          if (!toldStandby) onStandby()
          toldStandby = true
        } catch (err) {
          options.onError?.(err as Error)
        }
        await waitUnlessAborted(1000, signal)
      }
      return false
    },
    async beat(row) {
      await sql(
        'recording a heartbeat',
        `INSERT INTO ${schema}.feedloom_workers (host, pid, name, started_at, last_heartbeat, done, failed) VALUES ($1, $2, $3, $4, now(), $5, $6)
         ON CONFLICT (host, pid) DO UPDATE SET name = excluded.name, started_at = excluded.started_at, last_heartbeat = now(), done = excluded.done, failed = excluded.failed`,
        [host, process.pid, row.name, row.startedAt, row.done, row.failed],
      )
    },
    async leave() {
      await sql('removing a worker', `DELETE FROM ${schema}.feedloom_workers WHERE host = $1 AND pid = $2`, [host, process.pid])
    },
    async describe() {
      const workers = await sql<{ host: string; pid: number; name: string; started_at: Date; last_heartbeat: Date; done: number; failed: number }>(
        'reading the workers',
        `SELECT host, pid, name, started_at, last_heartbeat, done, failed FROM ${schema}.feedloom_workers ORDER BY host, pid`,
      )
      const counts = await sql<{ name: string; state: string; jobs: number }>(
        'counting jobs',
        `SELECT name, state::text, count(*)::int AS jobs FROM ${schema}.job WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active', 'failed') GROUP BY name, state`,
        [[SOURCE_QUEUE, PUBLISH_QUEUE]],
      )
      const [last] = await sql<{ at: Date | null }>(
        'reading the last publish',
        `SELECT max(completed_on) AS at FROM (SELECT completed_on FROM ${schema}.job WHERE name = $1 AND state = 'completed'
         UNION ALL SELECT completed_on FROM ${schema}.archive WHERE name = $1 AND state = 'completed') AS done`,
        [PUBLISH_QUEUE],
      )
      const count = (name: string, ...states: string[]): number =>
        counts.filter((row) => row.name === name && states.includes(row.state)).reduce((sum, row) => sum + row.jobs, 0)
      const due = count(SOURCE_QUEUE, 'created', 'retry')
      const running = count(SOURCE_QUEUE, 'active')
      return {
        workers: workers.map((row) => ({
          host: row.host,
          pid: row.pid,
          name: row.name,
          startedAt: row.started_at.toISOString(),
          lastHeartbeat: row.last_heartbeat.toISOString(),
          done: row.done,
          failed: row.failed,
        })),
        queue: { due, running, failed: count(SOURCE_QUEUE, 'failed'), idle: due + running === 0 },
        publisher: {
          pending: count(PUBLISH_QUEUE, 'created', 'retry', 'active') > 0,
          ...(last?.at == null ? {} : { lastPublishAt: last.at.toISOString() }),
        },
      }
    },
    async close() {
      await locks.close()
      await boss.stop({ graceful: false, wait: true, close: true })
    },
  }
}

/**
 * Session advisory locks live on one connection: they are held while it lives. A connection lost
 * (the database restarted) has lost its locks with it, so the next call connects again.
 */
function createLockSession(url: string) {
  let connection: Promise<PostgresConnection> | undefined
  const connected = (): Promise<PostgresConnection> => {
    connection ??= connectPostgres(url).catch((err: unknown) => {
      connection = undefined
      throw err
    })
    return connection
  }
  // One connection runs one statement at a time; jobs ask for locks concurrently.
  let turn: Promise<unknown> = Promise.resolve()
  const query = (what: string, text: string, values: unknown[]): Promise<Record<string, unknown>[]> => {
    const run = async () => {
      const current = await connected()
      try {
        return await current.query(what, text, values)
      } catch (err) {
        if (connection !== undefined) await current.close()
        connection = undefined
        throw err
      }
    }
    const result = turn.then(run, run)
    turn = result.catch(() => undefined)
    return result
  }
  // A session lock is granted again to the session that holds it: this process's own jobs must
  // also exclude each other.
  const held = new Set<string>()
  return {
    async tryLock(key: bigint | number, reentrant = false): Promise<{ release(): Promise<void> } | undefined> {
      const name = String(key)
      if (held.has(name) && !reentrant) return undefined
      held.add(name)
      let row: Record<string, unknown> | undefined
      try {
        ;[row] = await query('taking an advisory lock', 'SELECT pg_try_advisory_lock($1::bigint) AS locked', [name])
      } finally {
        if (row?.locked !== true) held.delete(name)
      }
      if (row?.locked !== true) return undefined
      const holder = connection
      return {
        async release() {
          held.delete(name)
          // Gone with its connection: nothing to release.
          if (connection !== holder) return
          await query('releasing an advisory lock', 'SELECT pg_advisory_unlock($1::bigint)', [name]).catch(() => undefined)
        },
      }
    },
    async close() {
      const current = connection
      connection = undefined
      if (current !== undefined) await (await current.catch(() => undefined))?.close()
    },
  }
}

/** What failSourceJob left on a job: that attempt stored nothing, unlike one that died or ran out of lease. */
function isFailedUnstored(output: unknown): boolean {
  return typeof output === 'object' && output !== null && (output as { stored?: unknown }).stored === false
}

/** A stable 63-bit key per source id, apart from the publisher's. */
function sourceLockKey(sourceId: string): bigint {
  let hash = 0xcbf29ce484222325n
  for (const byte of Buffer.from(`feedloom-source:${sourceId}`)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0x7fffffffffffffffn
  }
  return hash
}

/** pg-boss's tables go beside the store's: in `<schema>_queue` when the URL picks a schema. */
function queueSchemaOf(url: string): string {
  const options = new URL(url).searchParams.get('options') ?? ''
  const schema = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1]
  return schema === undefined ? 'feedloom_queue' : `${schema}_queue`.slice(0, 50)
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined)
}
