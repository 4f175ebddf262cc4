/**
 * `npm run bench:cluster`: how a cluster's throughput grows with its workers. A farm of 10,000
 * feeds on loopback (50 ms before every answer) is polled once, cold, by 1, 2 and 4 workers started
 * with scripts/cluster.sh (plus the publisher), each over a fresh PostgreSQL database: feeds per
 * second from the start until the last job is done, and the CPU each feed cost the workers,
 * PostgreSQL and the publisher. Writes its section of bench/RESULTS.md (between the cluster-bench
 * markers; `npm run bench` keeps it). Never asserts.
 *
 *   --feeds 10000  --items 5  --latency-ms 50   the farm
 *   --workers 1,2,4                             one case per count, in this order
 *   --concurrency 16                            jobs per worker (and its requests to the farm at once)
 *   --no-build   use dist/ as it is      --no-write   print the section, leave RESULTS.md alone
 *
 * The server is the one FEEDLOOM_BENCH_PG_URL or FEEDLOOM_TEST_PG_URL names, else one that
 * scripts/test-postgres.sh starts. PostgreSQL's CPU is read from /proc, so only on this machine.
 * A server that loads pg_stat_statements (shared_preload_libraries), readable by the bench's role
 * (pg_read_all_stats) in its database, adds each case's costliest statements.
 */
import { spawnSync } from 'node:child_process'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type Cluster, createQuietSchedule, startCluster, waitForQuiescence } from '../test/helpers/cluster.js'
import { REPO_DIR, SITE_TIMEZONE, writeFeedloomConfig } from './create-feedloom-peer.js'
import { createFeedFarm, type FeedFarm } from './feed-farm.js'
import { startPostgresBenchServer, type PostgresBenchServer, type StatementStats } from './postgres-bench-server.js'
import { spliceSection } from './results-section.js'

const { values: args } = parseArgs({
  options: {
    feeds: { type: 'string', default: '10000' },
    items: { type: 'string', default: '5' },
    'latency-ms': { type: 'string', default: '50' },
    workers: { type: 'string', default: '1,2,4' },
    concurrency: { type: 'string', default: '16' },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
})

const FARM = { feeds: Number(args.feeds), itemsPerFeed: Number(args.items), latencyMs: Number(args['latency-ms']) }
const CONCURRENCY = Number(args.concurrency)
const WORKER_COUNTS = (args.workers ?? '').split(',').filter((count) => count !== '').map(Number)
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
const startedAt = Date.now()

interface CaseReport {
  workers: number
  /** From `scripts/cluster.sh start` until the last source's job stored its answer. */
  wallMs: number
  /** From the start until every worker had put the due sources on the queue (as their logs say). */
  enqueuedMs: number | undefined
  workerCpuMs: number
  publisherCpuMs: number
  postgresCpuMs: number | undefined
  /** Sources without a successful fetch when the queue was idle: their jobs failed for good. */
  unfetched: number
  /** Job attempts the workers' logs report as failed and retried, and how many of them were deadlocks. */
  failedAttempts: number
  deadlocks: number
  /** The farm and this process (status checks not included: they are processes of their own). */
  farmCpuMs: number
  items: number | undefined
  expectedItems: number
  loadAtStart: number[]
  loadAtEnd: number[]
  /** The case database's statements by execution time, when the server has pg_stat_statements. */
  statements: StatementStats[] | undefined
}

function log(line: string): void {
  process.stderr.write(`[bench:cluster ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`)
}

/** User + system CPU of a process (its threads included), and of its reaped children when asked. */
async function readCpuMs(pid: number, withChildren = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return 0
  // Fields after the command name, which may hold spaces: state is [0], utime [11], stime [12], cutime [13], cstime [14].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
  const ticks = (fields[11] ?? 0) + (fields[12] ?? 0) + (withChildren ? (fields[13] ?? 0) + (fields[14] ?? 0) : 0)
  return (ticks * 1000) / TICKS_PER_SECOND
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  return stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

/**
 * CPU the whole PostgreSQL server has used so far: the postmaster with the backends it has reaped,
 * plus the ones still running. Undefined when the server is not a process of this machine.
 */
async function readPostgresCpuMs(postmaster: number | undefined): Promise<number | undefined> {
  if (postmaster === undefined) return undefined
  let total = await readCpuMs(postmaster, true)
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    if ((await parentOf(Number(name))) === postmaster) total += await readCpuMs(Number(name))
  }
  return total
}

async function benchCase(server: PostgresBenchServer, farm: FeedFarm, workers: number, postmaster: number | undefined): Promise<CaseReport> {
  const database = `feedloom_bench_cluster_${workers}`
  await server.createDatabase(database)
  const dir = join(os.tmpdir(), `feedloom-bench-cluster-${workers}`)
  await rm(dir, { recursive: true, force: true })
  const fetch = { concurrency: CONCURRENCY, perHost: CONCURRENCY }
  const configPath = await writeFeedloomConfig(dir, farm.feedUrls, fetch, server.urlOf(database), { queue: { concurrency: CONCURRENCY }, schedule: createQuietSchedule(SITE_TIMEZONE) })
  const requestsBefore = farm.counters().requests
  const loadAtStart = os.loadavg()
  const postgresBefore = await readPostgresCpuMs(postmaster)
  const farmBefore = process.cpuUsage()
  const startMs = Date.now()
  let cluster: Cluster | undefined
  try {
    cluster = await startCluster({ configPath, workers })
    // Cheap checks first (the farm counts in this process); status processes only for the last jobs.
    while (farm.counters().requests - requestsBefore < FARM.feeds) await new Promise((wake) => setTimeout(wake, 200))
    const settled = await waitForQuiescence(configPath, { timeoutMs: 1_800_000, intervalMs: 2000, isEverySourceFetched: false })
    const lastDoneMs = Math.max(...settled.sources.map((source) => Date.parse(source.lastSuccessAt ?? '')).filter((ms) => !Number.isNaN(ms)))
    const unfetched = settled.sources.filter((source) => source.lastSuccessAt === undefined).length
    const workerCpuMs = (await Promise.all(Array.from({ length: workers }, async (_, i) => readCpuMs(await (cluster as Cluster).pidOf(`worker-${i + 1}`))))).reduce(
      (sum, ms) => sum + ms,
      0,
    )
    const publisherCpuMs = await readCpuMs(await cluster.pidOf('publisher'))
    const logs = await Promise.all(Array.from({ length: workers }, (_, i) => (cluster as Cluster).log(`worker-${i + 1}`)))
    const queuedAt = logs.map((text) => Date.parse(/^(\S+) \d+ sources due, \d+ new jobs queued/m.exec(text)?.[1] ?? ''))
    const failedAttempts = logs.map((text) => text.match(/job failed, it is tried again/g)?.length ?? 0).reduce((sum, count) => sum + count, 0)
    const deadlocks = logs.map((text) => text.match(/deadlock detected/g)?.length ?? 0).reduce((sum, count) => sum + count, 0)
    const postgresAfter = await readPostgresCpuMs(postmaster)
    const farmCpu = process.cpuUsage(farmBefore)
    const report: CaseReport = {
      workers,
      wallMs: lastDoneMs - startMs,
      enqueuedMs: queuedAt.some(Number.isNaN) ? undefined : Math.max(...queuedAt) - startMs,
      workerCpuMs,
      publisherCpuMs,
      postgresCpuMs: postgresBefore === undefined || postgresAfter === undefined ? undefined : postgresAfter - postgresBefore,
      farmCpuMs: (farmCpu.user + farmCpu.system) / 1000,
      unfetched,
      failedAttempts,
      deadlocks,
      items: await server.countItems(database),
      expectedItems: farm.expected().distinctStories,
      loadAtStart,
      loadAtEnd: os.loadavg(),
      statements: await server.topStatements(database, TOP_STATEMENTS),
    }
    log(
      `${workers} worker(s): ${(report.wallMs / 1000).toFixed(1)} s, ${(FARM.feeds / (report.wallMs / 1000)).toFixed(0)} feeds/s, ` +
        `workers ${(workerCpuMs / 1000).toFixed(1)} s CPU, PostgreSQL ${((report.postgresCpuMs ?? Number.NaN) / 1000).toFixed(1)} s, ` +
        `publisher ${(publisherCpuMs / 1000).toFixed(1)} s, items ${report.items} / ${report.expectedItems}, ` +
        `${failedAttempts} failed attempts (${deadlocks} deadlocks), ${unfetched} sources never fetched`,
    )
    return report
  } finally {
    const stopped = await cluster?.stop()
    if (stopped !== undefined && stopped.code !== 0) log(`scripts/cluster.sh stop: ${stopped.stderr.trim()}`)
    // An autovacuum still at work on the case's database can refuse the drop to a role that is no
    // superuser: the next run's createDatabase drops it, and the figures measured are kept.
    await server.dropDatabase(database).catch((err: unknown) => log(`could not drop ${database}: ${(err as Error).message}`))
    await rm(dir, { recursive: true, force: true })
  }
}

/** Statements listed per case from pg_stat_statements. */
const TOP_STATEMENTS = 8

const seconds = (ms: number): string => (ms / 1000).toFixed(1)
const perFeed = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / FARM.feeds).toFixed(2))
/** A statement cut to `length` characters, safe in a table cell. */
const shorten = (query: string, length: number): string => (query.length > length ? `${query.slice(0, length - 1)}…` : query).replaceAll('|', '\\|')
const loads = (load: number[]): string => load.map((value) => value.toFixed(2)).join(' ')

function formatSection(cases: readonly CaseReport[], machine: string, durationMs: number): string {
  const cores = os.availableParallelism()
  const rate = (report: CaseReport): number => FARM.feeds / (report.wallMs / 1000)
  const base = cases[0]
  const totalCpuMs = (report: CaseReport): number => report.workerCpuMs + report.publisherCpuMs + (report.postgresCpuMs ?? 0) + report.farmCpuMs
  /** Share of the machine's cores the cluster, its database and the farm kept busy. */
  const busy = (report: CaseReport): number => totalCpuMs(report) / (report.wallMs * cores)
  const networkFloorMs = (report: CaseReport): number => Math.ceil(FARM.feeds / (report.workers * CONCURRENCY)) * FARM.latencyMs
  const rows = cases.map((report) =>
    [
      report.workers,
      seconds(report.wallMs),
      report.enqueuedMs === undefined ? '—' : seconds(report.enqueuedMs),
      rate(report).toFixed(0),
      base === undefined ? '—' : `${(rate(report) / rate(base)).toFixed(2)}×`,
      perFeed(report.workerCpuMs),
      perFeed(report.postgresCpuMs),
      perFeed(report.publisherCpuMs),
      `${(busy(report) * 100).toFixed(0)} %`,
      seconds(networkFloorMs(report)),
      `${report.failedAttempts} (${report.deadlocks})`,
      String(report.unfetched),
      `${report.items ?? '?'} / ${report.expectedItems} ${report.items === report.expectedItems ? '✓' : '✗'}`,
      `${loads(report.loadAtStart)} → ${loads(report.loadAtEnd)}`,
    ].join(' | '),
  )
  const two = cases.find((report) => report.workers === 2)
  const most = cases.at(-1)
  const limits: string[] = []
  if (base !== undefined && two !== undefined && most !== undefined && most.workers > 2) {
    const load = Math.max(...most.loadAtStart.slice(0, 1), ...most.loadAtEnd.slice(0, 1))
    const isSaturated = busy(most) >= 0.8 || load > cores
    limits.push(
      `From 1 to 2 workers the rate went ${(rate(two) / rate(base)).toFixed(2)}×, from 2 to ${most.workers} ${(rate(most) / rate(two)).toFixed(2)}×. ` +
        `With ${most.workers} workers the cluster, PostgreSQL and the farm used ${(busy(most) * 100).toFixed(0)} % of the ${cores} cores ` +
        `(${seconds(totalCpuMs(most))} s of CPU in ${seconds(most.wallMs)} s; load average up to ${load.toFixed(1)}), while the farm's latency alone would allow the pass in ` +
        `${seconds(networkFloorMs(most))} s.`,
    )
    const consumers = [
      { name: 'PostgreSQL', ms: most.postgresCpuMs ?? 0 },
      { name: 'the workers', ms: most.workerCpuMs },
      { name: 'the publisher', ms: most.publisherCpuMs },
    ].sort((a, b) => b.ms - a.ms)
    const shares = consumers.map((consumer) => `${consumer.name} ${perFeed(consumer.ms)} ms`).join(', ')
    limits.push(
      (isSaturated
        ? `The cores were saturated${busy(most) >= 0.8 ? '' : ', by the cluster and the other work on the machine together'}: beyond 2 workers the limit is CPU, not waiting on the network. `
        : `The cores were not saturated, so beyond 2 workers the limit is in the queue and the database rather than CPU. `) +
        `CPU a feed with ${most.workers} workers: ${shares}. ` +
        `The largest share: ${consumers[0]?.name ?? '?'}. All CPU a feed (farm included) went from ${perFeed(totalCpuMs(base))} ms with 1 worker to ` +
        `${perFeed(totalCpuMs(two))} ms with 2 and ${perFeed(totalCpuMs(most))} ms with ${most.workers}. ` +
        (most.statements?.[0] === undefined
          ? ''
          : `The database's statement with the most execution time was \`${shorten(most.statements[0].query, 70)}\`: ${seconds(most.statements[0].totalMs)} s over ` +
            `${most.statements[0].calls} calls (waits for locks included; the statements are listed below). `) +
        (most.deadlocks > 0
          ? `With ${most.workers} workers (${most.workers * CONCURRENCY} jobs at once) concurrent upserts of shared stories deadlocked ${most.deadlocks} times ` +
            `(each attempt retried; ${most.unfetched} sources had every attempt fail). `
          : '') +
        (isSaturated ? `More throughput needs more cores or machines (the database, the publisher and the workers apart), not more workers on ${cores} cores.` : ''),
    )
    if (most.enqueuedMs !== undefined && most.enqueuedMs > most.wallMs / 5) {
      limits.push(
        `Putting the sources on the queue took ${seconds(most.enqueuedMs)} s of the ${seconds(most.wallMs)} s: every worker sends one job per due source, one ` +
          `statement at a time (the queue keeps the first of each), so jobs trickle in while the workers wait for them, and more workers send more of them.`,
      )
    }
  }
  return [
    '## Cluster',
    '',
    `Generated by \`npm run bench:cluster\` (bench/run-cluster-bench.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${(durationMs / 60_000).toFixed(1)} min; ${machine}.`,
    '',
    `The farm (bench/feed-farm.ts) serves ${FARM.feeds.toLocaleString('en')} feeds of ${FARM.itemsPerFeed} items on 127.0.0.1, ${FARM.latencyMs} ms before every answer, ` +
      `a fifth of the stories in 2–3 feeds. Each case starts \`scripts/cluster.sh start --workers N\` (N \`feedloom worker\` with ` +
      `\`queue.concurrency\` and \`fetch.perHost\` ${CONCURRENCY}, and \`publish --watch\`) over a fresh PostgreSQL database on this machine, and ends when ` +
      `the farm has answered every feed and \`feedloom status --json\` shows the queue idle and everything published. failed attempts: jobs the ` +
      `workers' logs report as failed and tried again (deadlocks among them); sources never fetched: those whose every attempt failed. wall: from the start command to the last job's stored answer ` +
      `(its \`lastSuccessAt\`); all queued at: when the last worker logged that it had put the due sources on the queue; CPU from /proc (user + system) of the worker processes, the publisher and the whole PostgreSQL server, per feed; ` +
      `busy: all of that plus the farm's CPU over wall × ${cores} cores (PostgreSQL's share counts the whole server: give the bench a server of its own, \`FEEDLOOM_BENCH_PG_URL\`); network floor: rounds of ${CONCURRENCY} requests per worker at ${FARM.latencyMs} ms. ` +
      `Load average (1, 5, 15 min) at the start and end of each case: the machine is shared, so single figures are noisy.`,
    '',
    '| workers | wall s | all queued at s | feeds/s | vs 1 worker | worker CPU ms/feed | PostgreSQL CPU ms/feed | publisher CPU ms/feed | busy | network floor s | failed attempts (deadlocks) | sources never fetched | items stored / expected | load average |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    ...limits.flatMap((paragraph) => ['', paragraph]),
    ...cases.flatMap((report) =>
      report.statements === undefined
        ? []
        : [
            '',
            `Statements of the ${report.workers}-worker case by execution time (pg_stat_statements, in the case's own database; waits for locks included):`,
            '',
            '| calls | calls a feed | total s | ms a call | rows | statement |',
            '| ---: | ---: | ---: | ---: | ---: | --- |',
            ...report.statements.map(
              (statement) =>
                `| ${statement.calls} | ${(statement.calls / FARM.feeds).toFixed(2)} | ${seconds(statement.totalMs)} | ${(statement.totalMs / statement.calls).toFixed(2)} | ${statement.rows} | \`${shorten(statement.query, 110)}\` |`,
            ),
          ],
    ),
  ].join('\n')
}

async function main(): Promise<void> {
  if (!args['no-build']) {
    log('npm run build')
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_DIR, encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`)
  }
  const server = await startPostgresBenchServer(REPO_DIR, log)
  const farm = await createFeedFarm(FARM)
  const cpus = os.cpus()
  const machine = `${os.availableParallelism()} × ${cpus[0]?.model ?? '?'}, node ${process.version}, load at start ${loads(os.loadavg())}`
  try {
    const postmaster = await server.postmasterPid()
    const cases: CaseReport[] = []
    for (const workers of WORKER_COUNTS) {
      log(`${workers} worker(s): ${FARM.feeds} feeds`)
      cases.push(await benchCase(server, farm, workers, postmaster))
    }
    const section = formatSection(cases, machine, Date.now() - startedAt)
    process.stdout.write(`${section}\n`)
    if (!args['no-write']) {
      const resultsPath = join(REPO_DIR, 'bench', 'RESULTS.md')
      await writeFile(resultsPath, spliceSection(await readFile(resultsPath, 'utf8'), 'cluster', section))
      log(`wrote ${resultsPath}`)
    }
  } finally {
    await farm.close()
    await server.close()
  }
}

await main()
