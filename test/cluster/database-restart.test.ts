import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SITE_TIMEZONE, writeFeedloomConfig } from '../../bench/create-feedloom-peer.js'
import { createQuietSchedule, startCluster, waitForQuiescence, useFeedFarm } from '../helpers/cluster.js'
import { useOwnPostgres } from '../helpers/postgres.js'

// Restarting the shared test server would break every other test file using it: this file has its own.
const postgres = await useOwnPostgres()

/** Two workers of two jobs at a time need about ten seconds for these: the restart falls mid-cycle. */
const FARM = { feeds: 40, itemsPerFeed: 3, latencyMs: 1000 }
const FETCH = { concurrency: 2, perHost: 2 }

describe.skipIf(postgres === undefined)('the database restarted in the middle of a cycle', () => {
  const server = postgres as NonNullable<typeof postgres>
  const farm = useFeedFarm(FARM)

  it('is reported by the workers, which reconnect and finish the cycle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feedloom-cluster-restart-'))
    const configPath = await writeFeedloomConfig(dir, farm().feedUrls, FETCH, server.url, { queue: { leaseSeconds: 10 }, schedule: createQuietSchedule(SITE_TIMEZONE) })

    const cluster = await startCluster({ configPath, workers: 2 })
    let settled
    let status
    let logs
    let restartedAt
    try {
      await expect.poll(() => farm().counters().requests, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(8)
      await server.restart()
      restartedAt = new Date().toISOString()
      settled = await waitForQuiescence(configPath, { timeoutMs: 120_000 })
      status = await cluster.status()
      logs = await Promise.all(['worker-1', 'worker-2'].map((name) => cluster.log(name)))
    } finally {
      await cluster.stop()
    }

    expect(status.code).toBe(0)
    for (const log of logs) expect(log).toMatch(/terminating connection due to administrator command|lost the connection to the PostgreSQL store/)
    expect(settled.sources.filter((source) => (source.lastSuccessAt ?? '') > restartedAt).length).toBeGreaterThan(0)
    const [stored] = await server.query<{ count: number }>('SELECT count(*)::integer AS count FROM items')
    expect(stored?.count).toBe(farm().expected().distinctStories)
  }, 240_000)
})
