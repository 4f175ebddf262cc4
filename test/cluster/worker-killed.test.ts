import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SITE_TIMEZONE, writeFeedloomConfig } from '../../bench/create-feedloom-peer.js'
import { type ClusterStatus, createQuietSchedule, readClusterStatus, startCluster, waitForQuiescence, useFeedFarm } from '../helpers/cluster.js'
import { useTestPostgres } from '../helpers/postgres.js'

const postgres = await useTestPostgres()

const WORKERS = 3
const JOBS_PER_WORKER = 4
/**
 * One job per worker slot, each held up by the farm for seconds: once the farm has seen every
 * request, each worker is in the middle of exactly JOBS_PER_WORKER jobs.
 */
const FARM = { feeds: WORKERS * JOBS_PER_WORKER, itemsPerFeed: 3, latencyMs: 4000 }
/** Longer than a job takes, so that only the killed worker's jobs expire. */
const LEASE_SECONDS = 8

const countDoneBySurvivors = (status: ClusterStatus): number =>
  status.workers.filter((worker) => worker.name !== 'worker-1').reduce((sum, worker) => sum + worker.done, 0)

describe.skipIf(postgres === undefined)('a worker SIGKILLed in the middle of its jobs', () => {
  const db = postgres as NonNullable<typeof postgres>
  const farm = useFeedFarm(FARM)

  it('leaves its jobs to the other workers after the lease: every story stored and published once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feedloom-cluster-kill-'))
    const store = await db.createSchema()
    const fetch = { concurrency: JOBS_PER_WORKER, perHost: JOBS_PER_WORKER }
    const configPath = await writeFeedloomConfig(dir, farm().feedUrls, fetch, store.url, { queue: { leaseSeconds: LEASE_SECONDS }, schedule: createQuietSchedule(SITE_TIMEZONE) })

    const cluster = await startCluster({ configPath, workers: WORKERS })
    let settled
    let status
    try {
      await expect.poll(() => farm().counters().requests, { timeout: 60_000, interval: 50 }).toBe(FARM.feeds)
      expect(farm().counters().ok, 'every job is still waiting for the farm when the worker is killed').toBe(0)
      process.kill(await cluster.pidOf('worker-1'), 'SIGKILL')
      await waitForQuiescence(configPath, { timeoutMs: 90_000 })
      // Workers count their jobs in their heartbeat rows, a few seconds behind.
      await expect.poll(async () => countDoneBySurvivors(await readClusterStatus(configPath)), { timeout: 20_000, interval: 2000 }).toBe(FARM.feeds)
      settled = await readClusterStatus(configPath)
      status = await cluster.status()
    } finally {
      await cluster.stop()
    }

    // Every feed once, and the killed worker's feeds once more, by the others.
    expect(farm().counters().requests).toBe(FARM.feeds + JOBS_PER_WORKER)
    expect(status.code).toBe(1)
    expect(status.stdout).toMatch(/^worker-1 .* stopped /m)
    expect(settled.workers.find((worker) => worker.name === 'worker-1')?.done).toBe(0)
    const distinct = farm().expected().distinctStories
    const [stored] = await db.query<{ count: number }>(`SELECT count(*)::integer AS count FROM ${store.name}.items`)
    expect(stored?.count).toBe(distinct)
    const rss = await readFile(join(dir, 'out', 'rss.xml'), 'utf8')
    expect(rss.match(/<item>/g)).toHaveLength(distinct)
  }, 180_000)
})
