import { rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { spawnCli, writeConfig } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

let server: FeedServer
let dir: string
let worker: ReturnType<typeof spawnCli>
let output = ''

afterEach(async () => {
  if (worker.exitCode === null) {
    const exited = new Promise((resolveExit) => worker.on('exit', resolveExit))
    worker.kill('SIGTERM')
    await exited
  }
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let tries = 0; tries < 400; tries++) {
    const value = await get()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}; worker said:\n${output}`)
}

async function startWorker(hold: { slow: boolean }): Promise<string> {
  server = await createFeedServer({
    '/a.xml': rssWith('一', '二'),
    '/slow.xml': (_req, res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssWith('三')), hold.slow ? 4000 : 0),
    '/down.xml': { status: 503, body: 'busy' },
  })
  const written = await writeConfig({
    site: { title: 't', url: 'https://news.example.com/' },
    schedule: '* * * * * *',
    store: { maxAgeDays: 36500 },
    sources: [
      { id: 'a', type: 'feed', url: `${server.url}/a.xml` },
      { id: 'slow', type: 'feed', url: `${server.url}/slow.xml` },
      { id: 'down', type: 'feed', url: `${server.url}/down.xml` },
    ],
  })
  dir = written.dir
  const { configPath } = written
  output = ''
  worker = spawnCli(['start', '--metrics', '127.0.0.1:0', '--config', configPath])
  worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return waitFor(() => /metrics at (http:\/\/127\.0\.0\.1:\d+\/)metrics/.exec(output)?.[1], 'the metrics address')
}

async function scrape(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url)
  return { status: response.status, text: await response.text() }
}

const valueOf = (text: string, series: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('feedloom start --metrics', () => {
  it('serves Prometheus metrics of its cycles, sources, items and store, and process metrics', async () => {
    const base = await startWorker({ slow: false })
    const text = await waitFor(async () => {
      const { text } = await scrape(`${base}metrics`)
      return (valueOf(text, 'feedloom_cycles_total{result="ok"}') ?? 0) >= 1 ? text : undefined
    }, 'a cycle to be counted')
    expect(valueOf(text, 'feedloom_items_total{change="added"}')).toBe(3)
    expect(valueOf(text, 'feedloom_source_fetches_total{source="a",status="ok"}')).toBeGreaterThanOrEqual(1)
    expect(valueOf(text, 'feedloom_source_fetches_total{source="down",status="failed"}')).toBeGreaterThanOrEqual(1)
    expect(valueOf(text, 'feedloom_cycle_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(valueOf(text, 'feedloom_source_fetch_duration_seconds_count{source="slow"}')).toBeGreaterThanOrEqual(1)
    expect(valueOf(text, 'feedloom_last_successful_cycle_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60)
    expect(valueOf(text, 'feedloom_store_size_bytes')).toBeGreaterThan(100)
    expect(text).toMatch(/^feedloom_process_cpu_user_seconds_total \d/m)
    expect(text).toContain('# TYPE feedloom_cycle_duration_seconds histogram')
  })

  it('answers /healthz with 200 while cycles keep their schedule, and 503 once the last one is older than two periods', async () => {
    const hold = { slow: false }
    const base = await startWorker(hold)
    await waitFor(async () => ((await scrape(`${base}healthz`)).status === 200 && /ok: last successful cycle \d+ s ago/.test((await scrape(`${base}healthz`)).text) ? true : undefined), 'a healthy worker')
    // A cycle that hangs on a slow source for 4 s: the schedule's period is one second.
    hold.slow = true
    const stale = await waitFor(async () => {
      const answer = await scrape(`${base}healthz`)
      return answer.status === 503 ? answer : undefined
    }, 'a stale worker')
    expect(stale.text).toMatch(/^stale: last successful cycle \d+ s ago/)
  })
})
