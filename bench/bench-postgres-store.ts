/**
 * The PostgreSQL half of `npm run bench:store`: the same farm and cycles as the lowdb cases, against
 * an empty PostgreSQL store and against one seeded with a million items, so that the incremental
 * cycle's cost can be compared with and without the history. Bytes written by the server are its
 * WAL (pg_stat_wal), the store's share of what a cycle writes.
 */
import { join } from 'node:path'
import { createFeedloomPeer, REPO_DIR } from './create-feedloom-peer.js'
import type { FeedFarm } from './feed-farm.js'
import type { RunFigures } from './peer.js'
import type { PostgresBenchServer } from './postgres-bench-server.js'

export interface PostgresCaseReport {
  /** Items in the store before the farm's first cycle. */
  seeded: number
  prime: RunFigures
  warm: RunFigures[]
  incremental: RunFigures[]
  /** WAL the server wrote during each run. */
  walBytes: { prime: number; warm: number[]; incremental: number[] }
  finalItems: number | undefined
  expectedItems: number
}

export interface PostgresBenchReport {
  targetItems: number
  /** How the seed was made; its time when this run made it. */
  seed: { method: string; ms?: number }
  empty: PostgresCaseReport
  big: PostgresCaseReport
}

export interface PostgresBenchOptions {
  server: PostgresBenchServer
  farm: FeedFarm
  workDir: string
  targetItems: number
  runs: number
  concurrency: number
  log: (line: string) => void
  describe: (figures: RunFigures) => string
  runNode: (argv: string[]) => Promise<{ code: number; stderr: string; wallMs: number }>
}

/** Bump when the seeded rows change shape (a new migration, another story generator). */
const SEED_VERSION = 1
/** Processes filling the seed at once: the server, not the client, is what a single one waits on. */
const SEED_PROCESSES = 2

export async function benchPostgresStore(options: PostgresBenchOptions): Promise<PostgresBenchReport> {
  const { server, farm, log } = options
  farm.reset()
  const seedCount = options.targetItems - farm.expected().distinctStories
  const template = `feedloom_bench_seed_v${SEED_VERSION}_${seedCount}`
  const method = `${seedCount.toLocaleString('en')} synthetic stories (the farm's generator, another seed, 1–2 KB bodies) imported through dist/store/postgres (importRecords: multi-row INSERTs of 5,000 items, one commit each, ${SEED_PROCESSES} processes), kept as template database ${template} and copied for the run (CREATE DATABASE … TEMPLATE)`
  let seedMs: number | undefined
  if ((await server.hasDatabase(template)) && (await server.countItems(template)) === seedCount) {
    log(`postgres: reusing the seeded template database ${template}`)
  } else {
    log(`postgres: seeding ${seedCount.toLocaleString('en')} items into ${template}`)
    await server.createDatabase(template)
    const startedMs = performance.now()
    const share = Math.ceil(seedCount / SEED_PROCESSES)
    const seeded = await Promise.all(
      Array.from({ length: SEED_PROCESSES }, (_, index) => {
        const from = index * share
        const script = join(REPO_DIR, 'bench', 'seed-postgres-store.ts')
        return options.runNode(['--import', 'tsx', script, '--url', server.urlOf(template), '--from', String(from), '--count', String(Math.min(share, seedCount - from))])
      }),
    )
    const failed = seeded.find((result) => result.code !== 0)
    if (failed !== undefined) {
      await server.dropDatabase(template)
      throw new Error(`seeding PostgreSQL failed: ${failed.stderr.trim().slice(-500)}`)
    }
    seedMs = performance.now() - startedMs
  }
  const empty = await benchCase(options, 'feedloom_bench_empty', undefined, 0)
  const big = await benchCase(options, 'feedloom_bench_big', template, seedCount)
  return { targetItems: options.targetItems, seed: { method, ...(seedMs === undefined ? {} : { ms: seedMs }) }, empty, big }
}

async function benchCase(options: PostgresBenchOptions, database: string, template: string | undefined, seeded: number): Promise<PostgresCaseReport> {
  const { server, farm, log, describe } = options
  const label = seeded === 0 ? 'postgres empty' : `postgres ${(seeded + farm.expected().distinctStories).toLocaleString('en')} stored`
  await server.createDatabase(database, template)
  const peer = createFeedloomPeer({
    dir: join(options.workDir, database),
    concurrency: options.concurrency,
    perHost: options.concurrency,
    storeUrl: server.urlOf(database),
    countPostgresItems: () => server.countItems(database),
  })
  farm.reset()
  await peer.reset(farm)
  peer.adoptStore(seeded)
  const measure = async (changedFeedIds: readonly string[] | undefined, what: string): Promise<{ figures: RunFigures; wal: number }> => {
    const walBefore = await server.walBytes()
    const figures = await peer.run({ farm, ...(changedFeedIds === undefined ? {} : { changedFeedIds }) })
    const wal = (await server.walBytes()) - walBefore
    log(`${label} ${what} ${describe(figures)} wal ${(wal / 1e6).toFixed(2)} MB`)
    return { figures, wal }
  }
  try {
    const prime = await measure(undefined, 'prime       ')
    const report: PostgresCaseReport = {
      seeded,
      prime: prime.figures,
      warm: [],
      incremental: [],
      walBytes: { prime: prime.wal, warm: [], incremental: [] },
      finalItems: undefined,
      expectedItems: prime.figures.expectedItems,
    }
    for (let run = 1; run <= options.runs; run++) {
      const warm = await measure([], `run ${run} warm `)
      report.warm.push(warm.figures)
      report.walBytes.warm.push(warm.wal)
      const incremental = await measure(farm.advance(0.1, 5).changedFeedIds, `run ${run} incr `)
      report.incremental.push(incremental.figures)
      report.walBytes.incremental.push(incremental.wal)
      report.expectedItems = incremental.figures.expectedItems
    }
    report.finalItems = await server.countItems(database)
    return report
  } finally {
    await server.dropDatabase(database)
  }
}
