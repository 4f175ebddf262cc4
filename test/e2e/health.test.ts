import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { runCycle } from '../../src/pipeline/run-cycle.js'
import type { SourceHealth } from '../../src/types.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, spawnCli, writeConfig } from '../helpers/run-cli.js'
import { createMemoryLog, rssWith } from '../pipeline/cycle-test-helpers.js'

const MINUTE_MS = 60_000

let server: FeedServer
let dir: string
let configPath: string
let children: ReturnType<typeof spawnCli>[] = []

beforeEach(async () => {
  server = await createFeedServer({ '/good.xml': rssWith('一', '二'), '/bad.xml': { body: 'down', status: 500 } })
  ;({ dir, configPath } = await writeConfig({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out', html: false, opml: false },
    fetch: { timeoutMs: 5000 },
    sources: [
      { id: 'good', type: 'feed', url: `${server.url}/good.xml`, category: 'good' },
      { id: 'bad', type: 'feed', url: `${server.url}/bad.xml`, category: 'bad' },
    ],
  }))
})

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children = []
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

async function loadTestConfig() {
  return loadConfig({ fileText: await readFile(configPath, 'utf8'), baseDir: dir })
}

/** Cycles in this process at instants relative to the real clock, which `status` and `run` use. */
async function runCyclesAgo(...minutesAgo: number[]): Promise<void> {
  const config = await loadTestConfig()
  for (const minutes of minutesAgo) await runCycle({ config, log: createMemoryLog(), now: () => new Date(Date.now() - minutes * MINUTE_MS) })
}

async function statusJson(): Promise<{ code: number; health: SourceHealth[] }> {
  const result = await runCli('status', '--json', '--config', configPath)
  return { code: result.code, health: JSON.parse(result.stdout) as SourceHealth[] }
}

function requestsTo(path: string): number {
  return server.requests.filter((request) => request.path === path).length
}

/** `feedloom start` as a child process, once its first cycle is done. */
async function startWorker(): Promise<ReturnType<typeof spawnCli>> {
  const child = spawnCli(['start', '--config', configPath])
  children.push(child)
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  while (!stdout.includes('cycle done')) await once(child.stdout, 'data')
  return child
}

describe('backoff, seen through status --json', () => {
  it('skips a source that returned 500 five times in a row until its backoff expires', async () => {
    // Failures 2, 3 and 4 back off at most 5.5, 11 and 22 min; the fifth, 36 to 44 min.
    await runCyclesAgo(43, 42, 36, 24, 1)

    const run = await runCli('run', '--config', configPath)
    const { code, health } = await statusJson()
    const bad = health.find((one) => one.id === 'bad')

    expect(run.code).toBe(0)
    expect(run.stdout).toContain('1 skipped (backing off)')
    expect(requestsTo('/bad.xml')).toBe(5)
    expect(code).toBe(0)
    expect(bad).toMatchObject({ state: 'backing-off', consecutiveFailures: 5, lastError: { code: 'E_FETCH_STATUS', status: 500 }, alert: false })
    expect(Date.parse(bad?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now() + 30 * MINUTE_MS)
  })

  it('fetches the source again once its backoff has expired', async () => {
    await runCyclesAgo(43, 42, 36, 24, 1)
    const nextAttemptAt = (await statusJson()).health.find((one) => one.id === 'bad')?.nextAttemptAt ?? ''
    const config = await loadTestConfig()

    await runCycle({ config, log: createMemoryLog(), now: () => new Date(Date.parse(nextAttemptAt) + 1) })

    expect(requestsTo('/bad.xml')).toBe(6)
  })

  it('shows a healthy source as ok with its last success and items', async () => {
    await runCli('run', '--config', configPath)

    const { health } = await statusJson()

    expect(health.find((one) => one.id === 'good')).toMatchObject({ state: 'ok', consecutiveFailures: 0, itemsSeen: 2, lastSuccessAt: expect.any(String), alert: false })
  })

  it('exits 2 once a source has failed for longer than health.alertAfterHours', async () => {
    await runCyclesAgo(25 * 60, 24 * 60)

    const { code, health } = await statusJson()

    expect(code).toBe(2)
    expect(health.find((one) => one.id === 'bad')).toMatchObject({ alert: true, failingSince: expect.any(String) })
  })
})

describe('out/status.json', () => {
  it('publishes every source health beside the feeds, never as items inside them', async () => {
    await runCli('run', '--config', configPath)

    const status = JSON.parse(await readFile(join(dir, 'out/status.json'), 'utf8')) as { sources: SourceHealth[] }
    const feed = JSON.parse(await readFile(join(dir, 'out/feed.json'), 'utf8')) as { items: { title: string }[] }

    expect(status.sources.map((one) => [one.id, one.state])).toEqual([['good', 'ok'], ['bad', 'failing']])
    expect(feed.items.map((item) => item.title).sort()).toEqual(['一', '二'])
  })

  it('is not rewritten by a cycle that only brought new items', async () => {
    server.routes['/bad.xml'] = rssWith('三')
    await runCli('run', '--config', configPath)
    const before = await stat(join(dir, 'out/status.json'))
    server.routes['/good.xml'] = rssWith('一', '二', '四')

    const run = await runCli('run', '--config', configPath)

    expect(run.stdout).toContain('1 new')
    expect((await stat(join(dir, 'out/status.json'))).mtimeMs).toBe(before.mtimeMs)
  })

  it('is rewritten when a source starts failing', async () => {
    server.routes['/bad.xml'] = rssWith('三')
    await runCli('run', '--config', configPath)
    server.routes['/bad.xml'] = { body: 'down', status: 503 }

    await runCli('run', '--config', configPath)

    const status = JSON.parse(await readFile(join(dir, 'out/status.json'), 'utf8')) as { sources: SourceHealth[] }
    expect(status.sources.find((one) => one.id === 'bad')).toMatchObject({ state: 'failing', lastError: { status: 503 } })
  })
})

describe('one writer per store', () => {
  it('a run takes over the lock of a start killed with SIGKILL and completes', async () => {
    const worker = await startWorker()
    worker.kill('SIGKILL')
    await once(worker, 'exit')
    const lock = JSON.parse(await readFile(join(dir, 'store/db.json.lock'), 'utf8')) as { pid: number; holder: string }

    const run = await runCli('run', '--config', configPath)

    expect(lock).toMatchObject({ pid: worker.pid, holder: 'feedloom start' })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('cycle done')
    expect(existsSync(join(dir, 'store/db.json.lock'))).toBe(false)
  })

  it('a run while start holds the store says who holds it and since when, what to do, and exits 1', async () => {
    const worker = await startWorker()

    const run = await runCli('run', '--config', configPath)

    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(new RegExp(`store is in use by feedloom start \\(pid ${worker.pid}, since \\d{4}-\\d\\d-\\d\\dT`))
    expect(run.stderr).toContain('hint: the worker runs cycles itself; stop it before running by hand, or pass --wait')
  })

  it('a run --wait waits for start to let go, then completes', async () => {
    const worker = await startWorker()

    const run = runCli('run', '--wait', '--wait-timeout', '30', '--config', configPath)
    await new Promise((resolveWait) => setTimeout(resolveWait, 500))
    worker.kill('SIGTERM')
    const result = await run

    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`store is in use by feedloom start (pid ${worker.pid}`)
    expect(result.stdout).toContain('cycle done')
  })

  it('a run --wait gives up after --wait-timeout with exit 1', async () => {
    await startWorker()

    const result = await runCli('run', '--wait-timeout', '1', '--config', configPath)

    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/after waiting 1 s/)
  })

  it('status reads the store while start holds it', async () => {
    await startWorker()

    const { code, health } = await statusJson()

    expect(code).toBe(0)
    expect(health.map((one) => one.id)).toEqual(['good', 'bad'])
  })
})
