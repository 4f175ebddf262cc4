import type { ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFeedFarm, type FeedFarm } from '../../bench/feed-farm.js'
import { useTestPostgres } from '../helpers/postgres.js'
import { runCli, spawnCli, writeConfig } from '../helpers/run-cli.js'

const postgres = await useTestPostgres()

/** Workers and publishers under test, stopped after each test whatever happened. */
const children: ChildProcess[] = []

interface ClusterStatus {
  sources: { id: string; state: string }[]
  workers: { name: string; done: number; failed: number }[]
  queue: { due: number; running: number; failed: number; idle: boolean }
  publisher: { pending: boolean; lastPublishAt?: string }
}

describe.skipIf(postgres === undefined)('feedloom worker and feedloom publish --watch on a PostgreSQL store', () => {
  const db = postgres as NonNullable<typeof postgres>
  let farm: FeedFarm
  beforeAll(async () => {
    // Shared stories appear in feeds of different outlets, so which source an item is first
    // stored from decides its category unless the workers agree with one `run`.
    farm = await createFeedFarm({ feeds: 40, itemsPerFeed: 8, latencyMs: 0, sharedFraction: 0.4 })
  })
  afterAll(async () => {
    await farm.close()
  })
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop))
  })
  const configFor = (url: string, extra: Record<string, unknown> = {}) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { url, maxAgeDays: 36500 },
    output: { dir: 'out' },
    fetch: { concurrency: 4 },
    ...extra,
    sources: farm.feedUrls.map((url, index) => ({ id: `f${index}`, type: 'feed', url })),
  })
  const statusOf = async (configPath: string): Promise<ClusterStatus> => {
    const run = await runCli('status', '--json', '--config', configPath)
    return JSON.parse(run.stdout) as ClusterStatus
  }
  /** Every source fetched, no job due or running, every stored change published. */
  const waitForQuiet = async (configPath: string, timeoutMs: number): Promise<ClusterStatus> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const status = await statusOf(configPath)
      const fetched = status.sources.every((source) => source.state !== 'new')
      if (fetched && status.queue.idle && !status.publisher.pending && status.publisher.lastPublishAt !== undefined) return status
      if (Date.now() > deadline) throw new Error(`not quiet: ${JSON.stringify({ ...status, sources: status.sources.filter((source) => source.state === 'new') })}`)
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  }

  it('three workers and a publisher write the same files, byte for byte, as one feedloom run', async () => {
    const single = await writeConfig(configFor((await db.createSchema()).url))
    const cluster = await writeConfig(configFor((await db.createSchema()).url))
    expect((await runCli('run', '--config', single.configPath)).code).toBe(0)

    for (const name of ['w1', 'w2', 'w3']) children.push(spawnCli(['worker', '--name', name, '--config', cluster.configPath]))
    children.push(spawnCli(['publish', '--watch', '--config', cluster.configPath]))
    const status = await waitForQuiet(cluster.configPath, 150_000)

    expect(status.workers.map((worker) => worker.name)).toEqual(['w1', 'w2', 'w3'])
    expect(status.queue).toEqual({ due: 0, running: 0, failed: 0, idle: true })
    const expected = await readTree(join(single.dir, 'out'))
    const actual = await readTree(join(cluster.dir, 'out'))
    expect([...actual.keys()]).toEqual([...expected.keys()])
    for (const [file, bytes] of expected) {
      if (file === 'status.json') expect(withoutTimes(actual.get(file))).toEqual(withoutTimes(bytes))
      else expect(actual.get(file)?.toString('utf8'), file).toBe(bytes.toString('utf8'))
    }
    const [items] = await db.query<{ count: number }>(`SELECT count(*)::integer AS count FROM store_2.items`)
    expect(items?.count).toBe(farm.expected().distinctStories)
    const text = await runCli('status', '--config', cluster.configPath)
    expect(text.stdout).toMatch(/^w1 +\S+ +\d+ +/m)
    expect(text.stdout).toContain('queue: 0 due, 0 running, 0 failed (idle)')
  }, 180_000)

  it('runs one publisher at a time: a second one stands by and publishes once the first stops', async () => {
    const { dir, configPath } = await writeConfig(configFor((await db.createSchema()).url))
    const first = spawnCli(['publish', '--watch', '--config', configPath])
    children.push(first)
    await waitForLine(first, 'publish done')
    const second = spawnCli(['publish', '--watch', '--config', configPath])
    children.push(second)
    await waitForLine(second, 'standing by')

    await stop(first)

    expect(await waitForLine(second, 'publish done')).toContain('publish done (every category)')
    expect((await readTree(join(dir, 'out'))).has('rss.xml')).toBe(true)
  }, 60_000)

  it('queues each source once per period on a daily schedule, however many workers start', async () => {
    const { configPath } = await writeConfig(configFor((await db.createSchema()).url, { schedule: '0 3 * * *' }))
    const first = spawnCli(['worker', '--name', 'w1', '--config', configPath])
    children.push(first)
    // The first line about queueing: the due sources queued, or why they could not be.
    expect(await waitForLine(first, 'queue')).toContain(`${farm.feedUrls.length} sources due, ${farm.feedUrls.length} new jobs queued`)
    const second = spawnCli(['worker', '--name', 'w2', '--config', configPath])
    children.push(second)

    expect(await waitForLine(second, 'queue')).toContain(`${farm.feedUrls.length} sources due, 0 new jobs queued`)
  }, 60_000)

  it('starts three workers and a publisher at once on a fresh database', async () => {
    const { configPath } = await writeConfig(configFor((await db.createSchema()).url))
    const started = ['w1', 'w2', 'w3'].map((name) => {
      const worker = spawnCli(['worker', '--name', name, '--config', configPath])
      children.push(worker)
      return waitForLine(worker, `worker ${name} started`)
    })
    const publisher = spawnCli(['publish', '--watch', '--config', configPath])
    children.push(publisher)

    expect(await Promise.all(started)).toHaveLength(3)
    expect(await waitForLine(publisher, 'publish done')).toContain('publish done')
  }, 60_000)

  it('refuses to start a worker on a file store, saying what to set', async () => {
    const { configPath } = await writeConfig({ site: { title: 't', url: 'https://news.example.com/' }, sources: [] })
    const run = await runCli('worker', '--config', configPath)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error: feedloom worker needs a PostgreSQL store')
    expect(run.stderr).toContain('hint: set store.url')
  })
})

async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (const entry of (await readdir(root, { recursive: true, withFileTypes: true })).filter((one) => one.isFile())) {
    const path = join(entry.parentPath, entry.name)
    files.set(relative(root, path), await readFile(path))
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** status.json with every instant blanked: when a source was fetched differs between two runs. */
function withoutTimes(bytes: Buffer | undefined): unknown {
  return JSON.parse((bytes ?? Buffer.from('null')).toString('utf8').replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"'))
}

/** Resolves with the first line of the child's stderr that contains `text`. */
function waitForLine(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8')
      const line = seen.split('\n').find((one) => one.includes(text))
      if (line === undefined) return
      child.stderr?.off('data', onData)
      resolve(line)
    }
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited (${code}) before logging "${text}": ${seen}`)))
  })
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
