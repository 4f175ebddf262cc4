import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SITE_TIMEZONE, writeFeedloomConfig } from '../../bench/create-feedloom-peer.js'
import { type ClusterStatus, createQuietSchedule, readClusterStatus, runFeedloom, startCluster, waitForQuiescence, useFeedFarm } from '../helpers/cluster.js'
import { readTree } from '../helpers/file-tree.js'
import { useTestPostgres } from '../helpers/postgres.js'

const postgres = await useTestPostgres()

/** Three items a feed keep 2,000 feeds to a few thousand stories, a fifth of them in 2–3 feeds. */
const FARM = { feeds: 2000, itemsPerFeed: 3, latencyMs: 0 }
/** One host (the farm): each worker may keep this many of its jobs' requests in flight. */
const FETCH = { concurrency: 16, perHost: 16 }
/**
 * The cluster start, 2,000 jobs and the publish, then a single run: well under a minute on an idle
 * 2-core machine, minutes when other work keeps its load average near 20.
 */
const TEST_TIMEOUT_MS = 900_000

const countDone = (status: ClusterStatus): number => status.workers.reduce((sum, worker) => sum + worker.done, 0)

describe.skipIf(postgres === undefined)('three workers and a publisher from scripts/cluster.sh over 2,000 feeds', () => {
  const db = postgres as NonNullable<typeof postgres>
  const farm = useFeedFarm(FARM)

  it(
    'stores every distinct story once and publishes byte for byte what one `feedloom run` publishes',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'feedloom-cluster-farm-'))
      const clusterStore = await db.createSchema()
      const clusterConfig = await writeFeedloomConfig(join(dir, 'cluster'), farm().feedUrls, FETCH, clusterStore.url, { schedule: createQuietSchedule(SITE_TIMEZONE) })

      const cluster = await startCluster({ configPath: clusterConfig, workers: 3 })
      let settled
      try {
        await waitForQuiescence(clusterConfig, { timeoutMs: TEST_TIMEOUT_MS / 2 })
        // Workers count their jobs in their heartbeat rows, a few seconds behind.
        await expect.poll(async () => countDone(await readClusterStatus(clusterConfig)), { timeout: 20_000, interval: 2000 }).toBe(FARM.feeds)
        settled = await readClusterStatus(clusterConfig)
      } finally {
        expect((await cluster.stop()).code).toBe(0)
      }
      const singleStore = await db.createSchema()
      const singleConfig = await writeFeedloomConfig(join(dir, 'single'), farm().feedUrls, FETCH, singleStore.url, { schedule: createQuietSchedule(SITE_TIMEZONE) })
      const single = await runFeedloom(['run', '--quiet', '--config', singleConfig])

      expect(single).toMatchObject({ code: 0, stderr: '' })
      expect(settled.workers.map((worker) => worker.name).sort()).toEqual(['worker-1', 'worker-2', 'worker-3'])
      const [stored] = await db.query<{ count: number }>(`SELECT count(*)::integer AS count FROM ${clusterStore.name}.items`)
      expect(stored?.count).toBe(farm().expected().distinctStories)
      const fromCluster = await readTree(join(dir, 'cluster', 'out'))
      const fromSingle = await readTree(join(dir, 'single', 'out'))
      expect([...fromCluster.keys()].sort()).toEqual([...fromSingle.keys()].sort())
      const differing = [...fromSingle].filter(([path, bytes]) => !fromCluster.get(path)?.equals(bytes)).map(([path]) => path)
      expect(differing).toEqual([])
    },
    TEST_TIMEOUT_MS,
  )
})
