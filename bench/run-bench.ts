/**
 * `npm run bench`: feedloom against newsboat, sfeed and a parse-only floor on one loopback feed
 * farm, cold / warm / incremental, plus a 100k-item store. Prints the table and writes
 * bench/RESULTS.md. Never asserts on time: a wrong item count is flagged, a slow run is only
 * reported. Installs newsboat, sfeed and time with apt-get when missing (as root).
 *
 *   --quick               smoke check: 50×20, one run, a 5,000-item store; writes no RESULTS.md
 *   --runs N              runs per case (default 3; figures are medians)
 *   --sizes 200x50,…      farm sizes, FEEDSxITEMS (default 200x50,1000x50)
 *   --latency-ms 50       farm delay per answer     --concurrency 16   every peer's parallelism
 *   --big-store-items N   (default 100000)          --no-big-store
 *   --heavy-publish FxI   the heavy-publish workload: every item in every feed (default 200x50; quick 50x20; none)
 *   --no-profile          skip the --cpu-prof cycles, the store memory probe and startup costs
 *   --no-build            use dist/ as it is        --keep     keep the work dir in $TMPDIR
 *   --out PATH            write the report there instead of bench/RESULTS.md
 *   --report-only FILE    rewrite the report from a kept run's results.json, measuring nothing
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { countStoredItems, createFeedloomPeer, FEEDLOOM_BIN, REPO_DIR, writeFeedloomConfig } from './create-feedloom-peer.js'
import { createNewsboatPeer } from './create-newsboat-peer.js'
import { createParseFloor } from './create-parse-floor.js'
import { createSfeedPeer } from './create-sfeed-peer.js'
import { extractSection, RESULTS_SECTIONS } from './results-section.js'
import { ensureDebianPeers } from './ensure-debian-peers.js'
import { createFeedFarm, type FeedFarm } from './feed-farm.js'
import { measureStartup } from './measure-startup.js'
import type { Peer, PeerName, RunFigures } from './peer.js'
import { summarizeProfile } from './summarize-profile.js'
import {
  type BenchReport,
  type BigStoreReport,
  type Phase,
  type RunRecord,
  type TitledProfile,
  type WorkloadReport,
  formatReport,
  formatSummaryTable,
} from './write-results.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    sizes: { type: 'string' },
    'latency-ms': { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    'big-store-items': { type: 'string' },
    'heavy-publish': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'no-big-store': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    'report-only': { type: 'string' },
  },
})

const quick = args.quick ?? false
const runs = Number(args.runs ?? (quick ? 1 : 3))
const sizes = (args.sizes ?? (quick ? '50x20' : '200x50,1000x50')).split(',').map(parseSize)

function parseSize(size: string): { feeds: number; items: number } {
  const [feeds, items] = size.split('x').map(Number)
  if (!feeds || !items) throw new Error(`bad size ${size}: use FEEDSxITEMS, e.g. 200x50`)
  return { feeds, items }
}
const heavyPublishArg = args['heavy-publish'] ?? (quick ? '50x20' : '200x50')
const heavyPublishSize = heavyPublishArg === 'none' ? undefined : parseSize(heavyPublishArg)
const latencyMs = Number(args['latency-ms'])
const concurrency = Number(args.concurrency)
const bigStoreItems = Number(args['big-store-items'] ?? (quick ? 5_000 : 100_000))
const bigStoreSize = quick ? { feeds: 50, items: 20 } : { feeds: 200, items: 50 }
const resultsPath = args.out ?? (quick ? undefined : join(REPO_DIR, 'bench', 'RESULTS.md'))
const startedAt = Date.now()

function log(line: string): void {
  const elapsed = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)
  process.stderr.write(`[bench ${elapsed}s] ${line}\n`)
}

function describeRun(figures: RunFigures): string {
  const rss = figures.maxRssKb === undefined ? '' : ` rss ${(figures.maxRssKb / 1024).toFixed(0)} MB`
  const items = figures.items === undefined ? '' : ` items ${figures.items}/${figures.expectedItems}`
  const flag = figures.problem === undefined ? '' : `  ✗ ${figures.problem}`
  return `wall ${(figures.wallMs / 1000).toFixed(2)} s cpu ${(figures.cpuMs / 1000).toFixed(2)} s${rss} wrote ${(figures.bytesWritten / 1e6).toFixed(1)} MB${items}${flag}`
}

/** Runs one peer and records the farm's view of it too (requests, 304s). */
async function runPeer(
  peer: Peer,
  farm: FeedFarm,
  changedFeedIds: readonly string[] | undefined,
  label: string,
  cpuProfileDir?: string,
): Promise<RunRecord> {
  const before = farm.counters()
  const loadAverage = os.loadavg()[0]
  const figures = await peer.run({ farm, ...(changedFeedIds ? { changedFeedIds } : {}), ...(cpuProfileDir ? { cpuProfileDir } : {}) })
  const after = farm.counters()
  const requests = { requests: after.requests - before.requests, notModified: after.notModified - before.notModified }
  log(`${label} ${peer.name.padEnd(11)} ${describeRun(figures)} (${requests.requests} requests, ${requests.notModified} × 304, load ${loadAverage?.toFixed(1)})`)
  return { ...figures, ...requests, loadAverage }
}

async function buildFeedloom(): Promise<string | undefined> {
  if (args['no-build']) return undefined
  log('npm run build')
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_DIR, encoding: 'utf8' })
  if (result.status === 0) return undefined
  const errors = `${result.stdout}${result.stderr}`.trim().split('\n').slice(0, 5).join(' | ')
  if (!existsSync(join(REPO_DIR, 'dist', 'cli', 'bin.js'))) throw new Error(`npm run build failed and left no dist/: ${errors}`)
  log(`npm run build reported errors; benchmarking the JavaScript it emitted anyway: ${errors}`)
  return errors
}

async function runChild(args: string[], cwd = REPO_DIR): Promise<{ code: number; stdout: string; stderr: string; wallMs: number }> {
  const startedMs = performance.now()
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number>((resolve) => child.once('close', (exit) => resolve(exit ?? 1)))
  return { code, stdout, stderr, wallMs: performance.now() - startedMs }
}

/** Every profile the cycle wrote: one per thread (main and worker threads). */
async function listProfiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.cpuprofile')).sort()
  return files.map((name) => join(dir, name))
}

async function readProfile(dir: string, title: string): Promise<TitledProfile | undefined> {
  const files = await listProfiles(dir)
  if (files.length === 0) return undefined
  const threads = files.length === 1 ? '' : ` (${files.length} threads added up)`
  return { title: `${title}${threads}`, summary: await summarizeProfile(files) }
}

async function benchWorkload(
  size: { feeds: number; items: number },
  workDir: string,
  missing: ReadonlySet<string>,
  profile: boolean,
  heavyPublish = false,
): Promise<WorkloadReport> {
  const label = `${size.feeds}×${size.items}${heavyPublish ? ' heavy publish' : ''}`
  log(`${label}: starting the farm`)
  const farm = await createFeedFarm({ feeds: size.feeds, itemsPerFeed: size.items, latencyMs })
  const expected = farm.expected()
  const totalBytes = farm.bodies().reduce((sum, { body }) => sum + body.byteLength, 0)
  log(`${label}: ${farm.feedUrls.length} feeds, ${expected.distinctStories} distinct stories, ${expected.feedEntries} feed entries, ${(totalBytes / 1e6).toFixed(1)} MB of XML`)
  const dir = join(workDir, `${size.feeds}x${size.items}${heavyPublish ? '-heavy' : ''}`)
  // Heavy publish changes feedloom's work only: newsboat and the floor stay for the paired ratios.
  const peers: Peer[] = [
    createFeedloomPeer({ dir: join(dir, 'feedloom'), concurrency, perHost: concurrency, ...(heavyPublish ? { itemsPerFeed: 1_000_000 } : {}) }),
    ...(missing.has('newsboat') ? [] : [createNewsboatPeer({ dir: join(dir, 'newsboat'), concurrency })]),
    ...(missing.has('sfeed') || heavyPublish ? [] : [createSfeedPeer({ dir: join(dir, 'sfeed'), concurrency })]),
    createParseFloor(),
  ]
  const report: WorkloadReport = {
    label,
    feeds: size.feeds,
    items: size.items,
    ...(heavyPublish ? { heavyPublish } : {}),
    distinctStories: expected.distinctStories,
    feedEntries: expected.feedEntries,
    xmlBytes: totalBytes,
    runs: { cold: {}, warm: {}, incremental: {} },
    profiles: {},
  }
  const record = (phase: Phase, name: PeerName, figures: RunRecord): void => {
    ;(report.runs[phase][name] ??= []).push(figures)
  }
  try {
    // Rotate the order so that no peer always runs first (or right after the farm warmed up).
    const orderOf = (run: number): Peer[] => peers.map((_, i) => peers[(i + run - 1) % peers.length] as Peer)
    // Cold runs each start from empty stores and the farm's first generation.
    for (let run = 1; run <= runs; run++) {
      farm.reset()
      for (const peer of peers) await peer.reset(farm)
      for (const peer of orderOf(run)) record('cold', peer.name, await runPeer(peer, farm, undefined, `${label} run ${run} cold       `))
    }
    // Warm and incremental runs continue from the last cold run's stores, as a deployment would.
    for (const peer of peers) {
      if (peer.settle === undefined) continue
      await peer.settle(farm)
      log(`${label}: ${peer.name} reloaded once more, unmeasured, so that it holds validators for every feed`)
    }
    for (let run = 1; run <= runs; run++) {
      for (const peer of orderOf(run)) record('warm', peer.name, await runPeer(peer, farm, [], `${label} run ${run} warm       `))
      const advance = farm.advance(0.1, 5)
      log(`${label} run ${run}: ${advance.changedFeedIds.length} feeds gained 5 items (${advance.newStories} new stories)`)
      for (const peer of orderOf(run)) {
        record('incremental', peer.name, await runPeer(peer, farm, advance.changedFeedIds, `${label} run ${run} incremental`))
      }
    }
    if (profile) {
      // One more feedloom cold, warm and incremental cycle under --cpu-prof (not part of the figures).
      const feedloom = peers[0] as Peer
      farm.reset()
      await feedloom.reset(farm)
      for (const phase of PROFILED_PHASES) {
        const profileDir = join(workDir, 'profiles', `${size.feeds}x${size.items}${heavyPublish ? '-heavy' : ''}-${phase}`)
        await mkdir(profileDir, { recursive: true })
        const changed = phase === 'cold' ? undefined : phase === 'warm' ? [] : farm.advance(0.1, 5).changedFeedIds
        await runPeer(feedloom, farm, changed, `${label} profiled ${phase}`, profileDir)
        const profiled = await readProfile(profileDir, `feedloom ${phase} cycle, ${label}`)
        if (profiled !== undefined) report.profiles[phase] = profiled
      }
    }
  } finally {
    await farm.close()
  }
  return report
}

const PROFILED_PHASES: readonly Phase[] = ['cold', 'warm', 'incremental']

async function benchBigStore(workDir: string, profile: boolean): Promise<BigStoreReport> {
  const label = `${bigStoreItems.toLocaleString('en')} stored + ${bigStoreSize.feeds}×${bigStoreSize.items}`
  const farm = await createFeedFarm({ feeds: bigStoreSize.feeds, itemsPerFeed: bigStoreSize.items, latencyMs })
  const dir = join(workDir, 'big-store')
  const feedloom = createFeedloomPeer({ dir, concurrency, perHost: concurrency })
  const report: BigStoreReport = {
    label,
    targetItems: bigStoreItems,
    feeds: bigStoreSize.feeds,
    items: bigStoreSize.items,
    seedMethod: '',
    seedMs: 0,
    runs: { prime: [], warm: [], incremental: [] },
    profiles: {},
  }
  try {
    await feedloom.reset(farm)
    const seedCount = bigStoreItems - farm.expected().distinctStories
    log(`big store: seeding ${seedCount} items through feedloom's store interface`)
    const seeded = await runChild(['--import', 'tsx', join(REPO_DIR, 'bench', 'seed-store.ts'), '--store', feedloom.storePath, '--count', String(seedCount)])
    if (seeded.code === 0) {
      report.seedMethod = `quick path: ${seedCount.toLocaleString('en')} synthetic stories (same generator, 1–2 KB bodies) upserted through dist/store/open-store.js and saved once, without fetching or parsing`
      report.seedMs = seeded.wallMs
      feedloom.adoptStore(seedCount)
    } else {
      log(`big store: quick seeding failed (${seeded.stderr.trim().split('\n').slice(-2).join(' | ')}); seeding with cold cycles instead`)
      const seedFarm = await createFeedFarm({ feeds: Math.ceil(seedCount / 50), itemsPerFeed: 50, latencyMs: 0, seed: 3, sharedFraction: 0 })
      try {
        await writeFeedloomConfig(dir, seedFarm.feedUrls, { concurrency, perHost: concurrency })
        const startedMs = performance.now()
        const cycle = await runChild([FEEDLOOM_BIN, 'run', '--quiet', '--config', feedloom.configPath], dir)
        report.seedMs = performance.now() - startedMs
        if (cycle.code !== 0) throw new Error(`seeding cycle failed: ${cycle.stderr.trim().slice(-500)}`)
        report.seedMethod = `cold cycles: one feedloom run over a second farm of ${seedFarm.feedUrls.length}×50 unshared stories, then the config switched to the measured farm`
        feedloom.adoptStore(seedFarm.expected().distinctStories)
      } finally {
        await seedFarm.close()
      }
      await writeFeedloomConfig(dir, farm.feedUrls, { concurrency, perHost: concurrency })
    }
    log(`big store: seeded in ${(report.seedMs / 1000).toFixed(1)} s; priming with one cycle over the farm`)
    report.runs.prime.push(await runPeer(feedloom, farm, undefined, 'big store prime      '))
    let lastExpected = report.runs.prime[0]?.expectedItems ?? 0
    for (let run = 1; run <= runs; run++) {
      report.runs.warm.push(await runPeer(feedloom, farm, [], `big store run ${run} warm `))
      const advance = farm.advance(0.1, 5)
      const incremental = await runPeer(feedloom, farm, advance.changedFeedIds, `big store run ${run} incr `)
      report.runs.incremental.push(incremental)
      lastExpected = incremental.expectedItems
    }
    if (profile) {
      for (const phase of ['warm', 'incremental'] as const) {
        const profileDir = join(workDir, 'profiles', `big-store-${phase}`)
        await mkdir(profileDir, { recursive: true })
        const changed = phase === 'warm' ? [] : farm.advance(0.1, 5).changedFeedIds
        lastExpected = (await runPeer(feedloom, farm, changed, `big store profiled ${phase}`, profileDir)).expectedItems
        const profiled = await readProfile(profileDir, `feedloom ${phase} cycle, ${label}`)
        if (profiled !== undefined) report.profiles[phase] = profiled
      }
    }
    report.finalStoredItems = await countStoredItems(feedloom.storePath)
    report.finalExpectedItems = lastExpected
    if (profile) {
      const probe = await runChild(['--expose-gc', '--import', 'tsx', join(REPO_DIR, 'bench', 'measure-store-memory.ts'), feedloom.storePath])
      if (probe.code === 0) report.storeMemory = JSON.parse(probe.stdout) as BigStoreReport['storeMemory']
      else log(`store memory probe failed: ${probe.stderr.trim().slice(-300)}`)
    }
    log(`big store: ${report.finalStoredItems ?? '?'} items stored at the end`)
  } finally {
    await farm.close()
  }
  return report
}

async function main(): Promise<void> {
  const cpus = os.cpus()
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown',
    nproc: os.availableParallelism(),
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageStart: os.loadavg(),
    loadAverageEnd: [] as number[],
  }
  log(`machine: ${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGb.toFixed(1)} GB, node ${machine.node}, load ${machine.loadAverageStart.map((l) => l.toFixed(2)).join(' ')}`)
  const missing = ensureDebianPeers(log)
  if (missing.has('time')) throw new Error('/usr/bin/time (Debian package "time") is needed to measure CPU and peak RSS')
  const buildProblem = await buildFeedloom()
  const workDir = await mkdtemp(join(os.tmpdir(), 'feedloom-bench-'))
  log(`work dir ${workDir}`)
  const profile = !(args['no-profile'] ?? false)
  try {
    const workloads: WorkloadReport[] = []
    // Every workload is profiled: what dominates differs between sizes, and each missed target is explained by its own.
    for (const size of sizes) workloads.push(await benchWorkload(size, workDir, missing, profile))
    if (heavyPublishSize !== undefined) workloads.push(await benchWorkload(heavyPublishSize, workDir, missing, profile, true))
    const bigStore = args['no-big-store'] ? undefined : await benchBigStore(workDir, profile)
    if (profile) log('measuring startup: feedloom --help and each dependency imported alone')
    const startup = profile ? await measureStartup(REPO_DIR) : undefined
    machine.loadAverageEnd = os.loadavg()
    const report: BenchReport = {
      machine,
      settings: { runs, latencyMs, concurrency, quick },
      missingPeers: [...missing],
      buildProblem,
      workloads,
      bigStore,
      startup,
      durationMs: Date.now() - startedAt,
      date: new Date().toISOString(),
    }
    await writeFile(join(workDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(`\n${formatSummaryTable(report)}\n`)
    if (resultsPath !== undefined) {
      await writeFile(resultsPath, await keepSections(resultsPath, formatReport(report)))
      log(`wrote ${resultsPath}`)
    }
    log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`)
  } finally {
    if (args.keep) log(`kept ${workDir}`)
    else await rm(workDir, { recursive: true, force: true })
  }
}

/** Re-renders a report from the results.json a `--keep` run left behind. */
async function rewriteReport(file: string): Promise<void> {
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport
  process.stdout.write(`${formatSummaryTable(report)}\n`)
  const path = args.out ?? join(REPO_DIR, 'bench', 'RESULTS.md')
  await writeFile(path, await keepSections(path, formatReport(report)))
  log(`wrote ${path}`)
}

/** The new report, followed by the sections `npm run bench:store` and `bench:cluster` left in the old one. */
async function keepSections(path: string, text: string): Promise<string> {
  const old = await readFile(path, 'utf8').catch(() => '')
  const sections = RESULTS_SECTIONS.map((name) => extractSection(old, name)).filter((section) => section !== '')
  return [text.trimEnd(), ...sections].join('\n\n') + '\n'
}

if (args['report-only'] === undefined) await main()
else await rewriteReport(args['report-only'])
