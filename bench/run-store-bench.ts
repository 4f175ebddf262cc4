/**
 * `npm run bench:store`: what the store costs a cycle as it grows. The 200×50 farm on loopback,
 * polled by feedloom over an empty store and over stores seeded with 100,000 and 1,000,000 items:
 * a priming cycle (the farm's stories arrive), then warm (all 304) and incremental (10 % of the
 * feeds gain 5 stories) cycles, with wall, CPU, peak RSS and bytes written. Writes its section of
 * bench/RESULTS.md (between the store-bench markers; `npm run bench` keeps it). Never asserts.
 *
 *   --items 100000,1000000   stored items per case (an empty store is always measured first)
 *   --runs N                 warm + incremental pairs per case (default 2; figures are medians)
 *   --no-build               use dist/ as it is     --keep   keep the work dir
 *   --no-profile             skip the profiled incremental cycle of the first seeded case
 *   --postgres-items N       the PostgreSQL store: empty, then N items (default 1000000)
 *   --no-postgres            lowdb only
 *
 * The PostgreSQL cases use the server FEEDLOOM_BENCH_PG_URL or FEEDLOOM_TEST_PG_URL names, else
 * start one with scripts/test-postgres.sh; the seeded database is kept as a template between runs.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchPostgresStore } from './bench-postgres-store.js'
import { countStoredItems, createFeedloomPeer, REPO_DIR } from './create-feedloom-peer.js'
import { createFeedFarm, type FeedFarm } from './feed-farm.js'
import type { RunFigures } from './peer.js'
import { startPostgresBenchServer } from './postgres-bench-server.js'
import { spliceSection } from './results-section.js'
import { formatProfile, summarizeProfile } from './summarize-profile.js'
import { formatPostgresSection } from './write-postgres-section.js'
import { median } from './median.js'

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '100000,1000000' },
    runs: { type: 'string', default: '2' },
    'no-build': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'postgres-items': { type: 'string', default: '1000000' },
    'no-postgres': { type: 'boolean', default: false },
  },
})

const FARM = { feeds: 200, itemsPerFeed: 50, latencyMs: 50 }
const CONCURRENCY = 16
const runs = Number(args.runs)
const seededSizes = (args.items ?? '').split(',').filter((size) => size !== '').map(Number)
const startedAt = Date.now()

interface CaseReport {
  stored: number
  seedMs: number
  prime: RunFigures
  warm: RunFigures[]
  incremental: RunFigures[]
  finalItems: number | undefined
  expectedItems: number
}

function log(line: string): void {
  process.stderr.write(`[bench:store ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`)
}

function describe(figures: RunFigures): string {
  const flag = figures.problem === undefined ? '' : `  ✗ ${figures.problem}`
  return `wall ${(figures.wallMs / 1000).toFixed(2)} s cpu ${(figures.cpuMs / 1000).toFixed(2)} s rss ${((figures.maxRssKb ?? 0) / 1024).toFixed(0)} MB wrote ${(figures.bytesWritten / 1e6).toFixed(2)} MB (store ${((figures.storeBytesWritten ?? 0) / 1e6).toFixed(2)} MB)${flag}`
}

async function runNode(argv: string[]): Promise<{ code: number; stderr: string; wallMs: number }> {
  const startedMs = performance.now()
  const child = spawn(process.execPath, argv, { cwd: REPO_DIR, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number>((resolve) => child.once('close', (exit) => resolve(exit ?? 1)))
  return { code, stderr, wallMs: performance.now() - startedMs }
}

async function benchCase(farm: FeedFarm, workDir: string, stored: number, profileDir: string | undefined): Promise<CaseReport> {
  const label = stored === 0 ? 'empty store' : `${stored.toLocaleString('en')} stored`
  const peer = createFeedloomPeer({ dir: join(workDir, `store-${stored}`), concurrency: CONCURRENCY, perHost: CONCURRENCY })
  farm.reset()
  await peer.reset(farm)
  const seedCount = Math.max(0, stored - farm.expected().distinctStories)
  let seedMs = 0
  if (seedCount > 0) {
    log(`${label}: seeding ${seedCount} items through the store interface`)
    const seeded = await runNode(['--max-old-space-size=8192', '--import', 'tsx', join(REPO_DIR, 'bench', 'seed-store.ts'), '--store', peer.storePath, '--count', String(seedCount)])
    if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stderr.trim().slice(-500)}`)
    seedMs = seeded.wallMs
    peer.adoptStore(seedCount)
    log(`${label}: seeded in ${(seedMs / 1000).toFixed(1)} s`)
  }
  const prime = await peer.run({ farm })
  log(`${label} prime        ${describe(prime)}`)
  const report: CaseReport = { stored, seedMs, prime, warm: [], incremental: [], finalItems: undefined, expectedItems: prime.expectedItems }
  for (let run = 1; run <= runs; run++) {
    const warm = await peer.run({ farm, changedFeedIds: [] })
    log(`${label} run ${run} warm  ${describe(warm)}`)
    report.warm.push(warm)
    const advance = farm.advance(0.1, 5)
    const incremental = await peer.run({ farm, changedFeedIds: advance.changedFeedIds })
    log(`${label} run ${run} incr  ${describe(incremental)}`)
    report.incremental.push(incremental)
    report.expectedItems = incremental.expectedItems
  }
  if (profileDir !== undefined) {
    await mkdir(profileDir, { recursive: true })
    const advance = farm.advance(0.1, 5)
    const profiled = await peer.run({ farm, changedFeedIds: advance.changedFeedIds, cpuProfileDir: profileDir })
    report.expectedItems = profiled.expectedItems
    log(`${label} profiled incremental (not in the figures) ${describe(profiled)}`)
  }
  report.finalItems = await countStoredItems(peer.storePath)
  return report
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(2)
const seconds = (ms: number): string => (ms / 1000).toFixed(2)
const rssMb = (figures: RunFigures): number => (figures.maxRssKb ?? 0) / 1024

function formatSection(cases: CaseReport[], profile: string | undefined, machine: string, durationMs: number): string {
  const empty = cases.find((one) => one.stored === 0)
  const rows = cases.flatMap((one) => {
    const label = one.stored === 0 ? 'empty' : one.stored.toLocaleString('en')
    const row = (phase: string, all: RunFigures[]) =>
      `| ${label} | ${phase} | ${seconds(median(all.map((f) => f.wallMs)))} | ${seconds(median(all.map((f) => f.cpuMs)))} | ${median(all.map(rssMb)).toFixed(0)} | ${mb(median(all.map((f) => f.bytesWritten)))} | ${mb(median(all.map((f) => f.storeBytesWritten ?? 0)))} |`
    return [row('prime (cold poll)', [one.prime]), row('warm', one.warm), row('incremental', one.incremental)]
  })
  const targets: string[] = []
  const hundredK = cases.find((one) => one.stored === 100_000)
  if (empty !== undefined && hundredK !== undefined) {
    const ratios = hundredK.incremental.map((run, index) => run.wallMs / (empty.incremental[index]?.wallMs ?? Number.NaN))
    const ratio = median(ratios)
    const rss = Math.max(...hundredK.incremental.map(rssMb), ...hundredK.warm.map(rssMb))
    const written = median(hundredK.incremental.map((f) => f.bytesWritten))
    const warmWritten = Math.max(...hundredK.warm.map((f) => f.bytesWritten))
    const met = (ok: boolean) => (ok ? 'met' : '**missed**')
    targets.push(
      '| target (lowdb, 100,000 items) | measured | met? |',
      '| --- | --- | --- |',
      `| incremental wall within 1.3× of the empty store's | ${ratio.toFixed(2)}× (${seconds(median(hundredK.incremental.map((f) => f.wallMs)))} s vs ${seconds(median(empty.incremental.map((f) => f.wallMs)))} s) | ${met(ratio <= 1.3)} |`,
      `| peak RSS ≤ 250 MB | ${rss.toFixed(0)} MB (max over warm and incremental cycles) | ${met(rss <= 250)} |`,
      `| ≤ 10 MB written per incremental cycle | ${mb(written)} MB (store ${mb(median(hundredK.incremental.map((f) => f.storeBytesWritten ?? 0)))} MB, the rest out/) | ${met(written <= 10e6)} |`,
      `| warm cycle: 0 bytes written | ${mb(warmWritten)} MB | ${met(warmWritten === 0)} |`,
      '',
    )
  }
  const problems = cases.flatMap((one) => [one.prime, ...one.warm, ...one.incremental].flatMap((f) => (f.problem === undefined ? [] : [`- ${one.stored}: ${f.problem}`])))
  const counts = cases.map((one) => `${one.stored === 0 ? 'empty' : one.stored.toLocaleString('en')}: ${one.finalItems ?? '?'} / ${one.expectedItems}${one.finalItems === one.expectedItems ? ' ✓' : ' ✗'}`)
  return [
    '## Store',
    '',
    `Generated by \`npm run bench:store\` (bench/run-store-bench.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${(durationMs / 60000).toFixed(1)} min; ${machine}. Medians of ${runs} runs (prime: one).`,
    '',
    `The 200×50 farm (50 ms per answer, concurrency 16) polled over an empty store and over stores seeded through the store interface (synthetic stories of the same generator, a minute apart, so an hour segment holds about 60): a priming cycle (the farm's ${cases[0]?.prime.expectedItems.toLocaleString('en') ?? '?'} stories arrive on top), then warm (all 304) and incremental cycles (10 % of the feeds gain 5 stories each). written: every file created or rewritten under store/ and out/; store: the part under store/.`,
    '',
    ...targets,
    '| stored items | cycle | wall s | CPU s | peak RSS MB | written MB | store MB |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Items held at the end (store head counts / expected): ${counts.join('; ')}.`,
    ...(problems.length > 0 ? ['', 'Runs flagged:', ...problems] : []),
    ...(profile === undefined ? [] : ['', profile]),
  ].join('\n')
}

async function benchPostgres(farm: FeedFarm, workDir: string) {
  const server = await startPostgresBenchServer(REPO_DIR, log)
  try {
    return await benchPostgresStore({
      server,
      farm,
      workDir,
      targetItems: Number(args['postgres-items']),
      runs,
      concurrency: CONCURRENCY,
      log,
      describe,
      runNode,
    })
  } finally {
    await server.close()
  }
}

async function main(): Promise<void> {
  if (!args['no-build']) {
    log('npm run build')
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_DIR, encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`)
  }
  const workDir = await mkdtemp(join(os.tmpdir(), 'feedloom-bench-store-'))
  const farm = await createFeedFarm({ feeds: FARM.feeds, itemsPerFeed: FARM.itemsPerFeed, latencyMs: FARM.latencyMs })
  const cpus = os.cpus()
  const machine = `${os.availableParallelism()} × ${cpus[0]?.model ?? '?'}, node ${process.version}, load at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`
  try {
    const cases: CaseReport[] = []
    const profileDir = join(workDir, 'profile')
    for (const stored of [0, ...seededSizes]) {
      const profiled = !args['no-profile'] && stored === seededSizes[0]
      cases.push(await benchCase(farm, workDir, stored, profiled ? profileDir : undefined))
    }
    // The main thread's (thread id 0 in Node's file name), where the store and publishing run; parse threads write their own.
    const profileFile = (await readdir(profileDir).catch(() => [])).filter((name) => /\.0\.\d+\.cpuprofile$/.test(name)).sort().at(-1)
    const profile =
      profileFile === undefined
        ? undefined
        : formatProfile(await summarizeProfile(join(profileDir, profileFile)), `feedloom incremental cycle, ${seededSizes[0]?.toLocaleString('en')} stored + 200×50 (unbundled build, one extra cycle)`)
    const postgres = args['no-postgres'] ? [] : formatPostgresSection(await benchPostgres(farm, workDir))
    const section = [formatSection(cases, profile, machine, Date.now() - startedAt), ...(postgres.length > 0 ? ['', ...postgres] : [])].join('\n')
    process.stdout.write(`${section}\n`)
    const resultsPath = join(REPO_DIR, 'bench', 'RESULTS.md')
    await writeFile(resultsPath, spliceSection(await readFile(resultsPath, 'utf8'), 'store', section))
    log(`wrote ${resultsPath}`)
  } finally {
    await farm.close()
    if (args.keep) log(`kept ${workDir}`)
    else await rm(workDir, { recursive: true, force: true })
  }
}

await main()
