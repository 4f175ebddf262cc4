import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { createFeedFarm, type FeedFarm } from '../../bench/feed-farm.js'

const REPO_DIR = resolve(import.meta.dirname, '../..')
const CLUSTER_SCRIPT = join(REPO_DIR, 'scripts', 'cluster.sh')
const FEEDLOOM_BIN = join(REPO_DIR, 'bin', 'feedloom.js')

/**
 * A schedule for a cluster under test: workers queue the due sources when they start, and the next
 * tick, which would queue every source again, does not come while a test runs. Its last tick was a
 * minute ago (in `timeZone`, the config's site.timezone) and the next is twelve hours later: the
 * queue refuses to keep one job per source over a longer period.
 */
export function createQuietSchedule(timeZone: string, now = new Date()): string {
  const tick = new Date(now.getTime() - 60_000)
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(tick)
  const hour = Number(parts.find((part) => part.type === 'hour')?.value) % 12
  const minute = Number(parts.find((part) => part.type === 'minute')?.value)
  return `${minute} ${hour},${hour + 12} * * *`
}

export interface ScriptRun {
  code: number
  stdout: string
  stderr: string
}

export interface ClusterOptions {
  configPath: string
  workers: number
  /** Jobs each worker runs at once. */
  concurrency?: number
  /** Start `publish --watch`. @default true */
  publisher?: boolean
  /** Seconds stop waits for SIGTERM before SIGKILL. @default 30 */
  stopTimeoutSeconds?: number
}

export interface Cluster {
  readonly runDir: string
  /** The pid of `worker-1`, `publisher`, … as the run dir records it. */
  pidOf(name: string): Promise<number>
  log(name: string): Promise<string>
  status(): Promise<ScriptRun>
  /** `scripts/cluster.sh stop`: every process it started, SIGTERM then SIGKILL. */
  stop(): Promise<ScriptRun>
}

/** Runs `scripts/cluster.sh` with `args`; never rejects (the exit code is in the result). */
export function runClusterScript(args: readonly string[]): Promise<ScriptRun> {
  return new Promise((done) => {
    execFile('bash', [CLUSTER_SCRIPT, ...args], { cwd: REPO_DIR, env: { ...process.env, NODE: process.execPath } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, stdout, stderr })
    })
  })
}

/**
 * `scripts/cluster.sh start` from the local build (bin/feedloom.js: `npm ci` or `npm run build`
 * first), with its run dir in a temp folder and no `serve`. Rejects with the script's output when
 * the start fails; the caller stops the cluster it gets.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const runDir = await mkdtemp(join(tmpdir(), 'feedloom-cluster-'))
  const args = ['start', '--run-dir', runDir, '--config', options.configPath, '--workers', String(options.workers), '--no-serve']
  if (options.concurrency !== undefined) args.push('--concurrency', String(options.concurrency))
  if (options.publisher === false) args.push('--no-publisher')
  const started = await runClusterScript(args)
  if (started.code !== 0) throw new Error(`scripts/cluster.sh start exited ${started.code}:\n${started.stderr}${started.stdout}`)
  return {
    runDir,
    async pidOf(name) {
      const lines = (await readFile(join(runDir, 'processes'), 'utf8')).split('\n')
      const pid = lines.map((line) => line.split(' ')).find(([processName]) => processName === name)?.[1]
      if (pid === undefined) throw new Error(`no process ${name} in ${runDir}/processes`)
      return Number(pid)
    },
    log: (name) => readFile(join(runDir, `${name}.log`), 'utf8'),
    status: () => runClusterScript(['status', '--run-dir', runDir]),
    stop: () => runClusterScript(['stop', '--run-dir', runDir, '--timeout', String(options.stopTimeoutSeconds ?? 30)]),
  }
}

/** `feedloom status --json` on a PostgreSQL store. */
export interface ClusterStatus {
  sources: { id: string; state: string; lastSuccessAt?: string }[]
  workers: { host: string; pid: number; name: string; lastHeartbeat: string; done: number; failed: number }[]
  queue: { due: number; running: number; failed: number; idle: boolean }
  publisher: { pending: boolean; lastPublishAt?: string | null }
}

/** Runs the built CLI (`node bin/feedloom.js …`) as a user would. */
export function runFeedloom(args: readonly string[]): Promise<ScriptRun> {
  return new Promise((done) => {
    execFile(process.execPath, [FEEDLOOM_BIN, ...args], { cwd: REPO_DIR, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, stdout, stderr })
    })
  })
}

export async function readClusterStatus(configPath: string): Promise<ClusterStatus> {
  const run = await runFeedloom(['status', '--json', '--config', configPath])
  try {
    return JSON.parse(run.stdout) as ClusterStatus
  } catch (cause) {
    throw new Error(`feedloom status --json exited ${run.code} without JSON:\n${run.stderr}`, { cause })
  }
}

export interface QuiescenceOptions {
  timeoutMs: number
  /** Each check is a `feedloom status` process: not too often on a machine the cluster keeps busy. @default 1000 */
  intervalMs?: number
  /**
   * Also wait for every source to have been fetched successfully, which keeps a check made before
   * the workers queued anything from passing. Without it, the caller knows the jobs were taken (a
   * source that fails for good then ends the wait instead of holding it). @default true
   */
  isEverySourceFetched?: boolean
}

/** Waits until the cluster has nothing left to do: the queue idle and every stored change published. */
export async function waitForQuiescence(configPath: string, options: QuiescenceOptions): Promise<ClusterStatus> {
  const { timeoutMs, intervalMs = 1000, isEverySourceFetched = true } = options
  const deadline = Date.now() + timeoutMs
  let status: ClusterStatus | undefined
  while (Date.now() < deadline) {
    status = await readClusterStatus(configPath)
    const fetched = !isEverySourceFetched || status.sources.every((source) => source.lastSuccessAt !== undefined)
    if (fetched && status.queue.idle && !status.publisher.pending && status.publisher.lastPublishAt) return status
    await new Promise((wake) => setTimeout(wake, intervalMs))
  }
  const pending = status?.sources.filter((source) => source.lastSuccessAt === undefined).map((source) => source.id) ?? []
  throw new Error(
    `the cluster did not settle within ${timeoutMs} ms: queue ${JSON.stringify(status?.queue)}, publisher ${JSON.stringify(status?.publisher)}, ` +
      `${pending.length} sources never fetched (${pending.slice(0, 5).join(', ')}…)`,
  )
}

/** A loopback feed farm for the describe block it is called in: started before its tests, closed after. */
export function useFeedFarm(options: Parameters<typeof createFeedFarm>[0]): () => FeedFarm {
  let farm: FeedFarm | undefined
  beforeAll(async () => {
    farm = await createFeedFarm(options)
  })
  afterAll(async () => {
    await farm?.close()
  })
  return () => {
    if (farm === undefined) throw new Error('the feed farm is not started: call farm() inside a test')
    return farm
  }
}
