/**
 * The PostgreSQL half of the big-store case: the 200×50 farm against an empty PostgreSQL store and
 * against one holding a million items, the same cycles for each (prime, then warm and incremental
 * runs), so that the incremental cycle's cost can be compared with and without the history.
 */
import { join } from 'node:path'
import { createFeedloomPeer, REPO_DIR } from './create-feedloom-peer.js'
import { createFeedFarm } from './feed-farm.js'
import type { Peer } from './peer.js'
import type { PostgresBenchServer } from './postgres-bench-server.js'
import type { RunRecord } from './write-results.js'

export interface PostgresCaseReport {
  label: string
  /** Items in the store before the farm's first cycle. */
  seededItems: number
  runs: { prime: RunRecord[]; warm: RunRecord[]; incremental: RunRecord[] }
  /** WAL the server wrote during each run, in the order of `runs`. */
  walBytes: { prime: number[]; warm: number[]; incremental: number[] }
  finalStoredItems?: number
  finalExpectedItems?: number
}

export interface PostgresBenchReport {
  feeds: number
  items: number
  targetItems: number
  seedMethod: string
  /** Undefined when the seed template was already there from an earlier run. */
  seedMs?: number
  empty: PostgresCaseReport
  big: PostgresCaseReport
}

export interface PostgresBenchOptions {
  server: PostgresBenchServer
  workDir: string
  targetItems: number
  size: { feeds: number; items: number }
  runs: number
  latencyMs: number
  concurrency: number
  log: (line: string) => void
  runChild: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string; wallMs: number }>
  runPeer: (peer: Peer, farm: Awaited<ReturnType<typeof createFeedFarm>>, changed: readonly string[] | undefined, label: string) => Promise<RunRecord>
}

/** Bump when the seeded rows change shape (a new migration, another story generator). */
const SEED_VERSION = 1

export async function benchPostgresStore(options: PostgresBenchOptions): Promise<PostgresBenchReport> {
  const { server, size, log } = options
  const probe = await createFeedFarm({ feeds: size.feeds, itemsPerFeed: size.items, latencyMs: 0 })
  const seedCount = options.targetItems - probe.expected().distinctStories
  await probe.close()
  const template = `feedloom_bench_seed_v${SEED_VERSION}_${seedCount}`
  let seedMs: number | undefined
  if ((await server.hasDatabase(template)) && (await server.countItems(template)) === seedCount) {
    log(`postgres: reusing the seeded template database ${template}`)
  } else {
    log(`postgres: seeding ${seedCount.toLocaleString('en')} items into ${template} through the store's importRecords`)
    await server.createDatabase(template)
    const seeded = await options.runChild(['--import', 'tsx', join(REPO_DIR, 'bench', 'seed-postgres-store.ts'), '--url', server.urlOf(template), '--count', String(seedCount)])
    if (seeded.code !== 0) {
      await server.dropDatabase(template)
      throw new Error(`seeding PostgreSQL failed: ${seeded.stderr.trim().slice(-500)}`)
    }
    seedMs = seeded.wallMs
  }
  const empty = await benchCase(options, 'feedloom_bench_empty', undefined, 0, `empty + ${size.feeds}×${size.items}`)
  const big = await benchCase(options, 'feedloom_bench_big', template, seedCount, `${options.targetItems.toLocaleString('en')} stored + ${size.feeds}×${size.items}`)
  return {
    feeds: size.feeds,
    items: size.items,
    targetItems: options.targetItems,
    seedMethod: `${seedCount.toLocaleString('en')} synthetic stories (the farm's generator, another seed, 1–2 KB bodies) imported through dist/store/postgres (importRecords: multi-row INSERTs of 5,000 items, one commit each), kept as template database ${template} and copied per run (CREATE DATABASE … TEMPLATE)`,
    ...(seedMs === undefined ? {} : { seedMs }),
    empty,
    big,
  }
}

async function benchCase(options: PostgresBenchOptions, database: string, template: string | undefined, seededItems: number, label: string): Promise<PostgresCaseReport> {
  const { server, size, log } = options
  await server.createDatabase(database, template)
  const farm = await createFeedFarm({ feeds: size.feeds, itemsPerFeed: size.items, latencyMs: options.latencyMs })
  const peer = createFeedloomPeer({
    dir: join(options.workDir, database),
    concurrency: options.concurrency,
    perHost: options.concurrency,
    storeUrl: server.urlOf(database),
    countPostgresItems: () => server.countItems(database),
  })
  const report: PostgresCaseReport = { label, seededItems, runs: { prime: [], warm: [], incremental: [] }, walBytes: { prime: [], warm: [], incremental: [] } }
  const measure = async (phase: keyof PostgresCaseReport['runs'], changed: readonly string[] | undefined, runLabel: string): Promise<RunRecord> => {
    const walBefore = await server.walBytes()
    const run = await options.runPeer(peer, farm, changed, runLabel)
    const wal = (await server.walBytes()) - walBefore
    report.runs[phase].push(run)
    report.walBytes[phase].push(wal)
    log(`${runLabel} wal ${(wal / 1e6).toFixed(1)} MB`)
    return run
  }
  try {
    await peer.reset(farm)
    peer.adoptStore(seededItems)
    let lastExpected = (await measure('prime', undefined, `postgres ${database} prime`)).expectedItems
    for (let run = 1; run <= options.runs; run++) {
      await measure('warm', [], `postgres ${database} run ${run} warm`)
      const advance = farm.advance(0.1, 5)
      lastExpected = (await measure('incremental', advance.changedFeedIds, `postgres ${database} run ${run} incr`)).expectedItems
    }
    report.finalStoredItems = await server.countItems(database)
    report.finalExpectedItems = lastExpected
  } finally {
    await farm.close()
    await server.dropDatabase(database)
  }
  return report
}
