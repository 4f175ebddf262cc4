import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, runCliWith, writeConfig } from '../helpers/run-cli.js'
import { createChangingFeeds, writeLaneConfig } from '../hostile/hard-stop-helpers.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const agent = new Agent({ keepAliveTimeout: 10 })
afterAll(() => agent.close())

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startServer(routes: Parameters<typeof createFeedServer>[0]): Promise<FeedServer> {
  const server = await createFeedServer(routes)
  cleanups.push(() => server.close())
  return server
}

async function configFor(config: object): Promise<{ dir: string; configPath: string }> {
  const written = await writeConfig(config)
  cleanups.push(() => rm(written.dir, { recursive: true, force: true }))
  return written
}

async function waitForLine(lines: string[], pattern: RegExp): Promise<string> {
  for (let tries = 0; tries < 300; tries++) {
    const line = lines.find((candidate) => pattern.test(candidate))
    if (line !== undefined) return line
    await sleep(10)
  }
  throw new Error(`no line matching ${pattern}: ${lines.join('\n')}`)
}

describe('feedloom run --strict', () => {
  it('exits 1 while every source is skipped in backoff, not only on the cycle that failed', async () => {
    const server = await startServer({ '/ok.xml': rssWith('一'), '/down.xml': { status: 503, body: 'busy' } })
    const { configPath } = await configFor({
      site: { title: 't', url: 'https://news.example.com/' },
      store: { maxAgeDays: 36500 },
      sources: [{ id: 'down', type: 'feed', url: `${server.url}/down.xml`, category: 'a' }],
    })
    // The second failure in a row puts the source in backoff: the third cycle does not fetch it.
    await runCli('run', '--config', configPath)
    await runCli('run', '--config', configPath)
    const third = await runCli('run', '--strict', '--config', configPath)
    expect(third.stdout).toMatch(/0 failed, 1 skipped \(backing off\)/)
    expect(third.code).toBe(1)
    expect((await runCli('run', '--config', configPath)).code).toBe(0)
  })
})

describe('feedloom serve -v', () => {
  it('logs each response with the ISO time and the bytes really sent', async () => {
    const { dir, configPath } = await configFor({ site: { title: 't', url: 'https://news.example.com/' } })
    const body = '<rss version="2.0"><channel><title>金融消息</title></channel></rss>'
    await mkdir(join(dir, 'out'), { recursive: true })
    await writeFile(join(dir, 'out', 'rss.xml'), body)
    const stop = new AbortController()
    const run = runCliWith(['serve', '-v', '--port', '0', '--config', configPath], { signal: stop.signal })
    const url = /at (http:\/\/\S+)$/.exec(await waitForLine(run.stdout, /^serving /))?.[1] as string
    await (await request(new URL('rss.xml', url), { dispatcher: agent })).body.dump()
    const line = await waitForLine(run.stderr, /GET \/rss\.xml/)
    stop.abort('SIGTERM')
    await run.done
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z GET /rss\\.xml 200 ${Buffer.byteLength(body)} B \\d+ ms$`))
  })
})

describe('a corrupt store', () => {
  /** A store two cycles old (so it has a backup), whose head is then damaged. */
  async function createDamagedStore(): Promise<{ configPath: string; store: string }> {
    let generation = 1
    const server = await startServer(createChangingFeeds(1, () => generation))
    const { dir } = await configFor({ site: { title: 't', url: 'https://news.example.com/' } })
    const configPath = await writeLaneConfig(dir, server.url, 1)
    await runCli('run', '--config', configPath)
    generation = 2
    await runCli('run', '--config', configPath)
    const store = join(dir, 'store/db.json')
    await writeFile(store, '{"version": 1, "sour')
    return { configPath, store }
  }

  it('names the backup and feedloom store restore in its hint', async () => {
    const { configPath, store } = await createDamagedStore()

    const failed = await runCli('run', '--config', configPath)

    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('E_STORE_CORRUPT')
    const hint = failed.stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? ''
    expect(hint).toContain(`${store}.bak`)
    expect(hint).toContain('feedloom store restore')
  })

  it('store restore checks the backup, swaps it in and keeps the damaged head aside; the next run completes and leaves a sound store', async () => {
    const { configPath, store } = await createDamagedStore()

    const restore = await runCli('store', 'restore', '--config', configPath)
    const next = await runCli('run', '--config', configPath)
    const check = await runCli('store', 'check', '--config', configPath)

    expect([restore.code, restore.stdout]).toEqual([0, expect.stringContaining(`restored from ${store}.bak; the damaged head is kept as ${store}.corrupt`)])
    expect(await readFile(`${store}.corrupt`, 'utf8')).toBe('{"version": 1, "sour')
    expect(check.code).toBe(0)
    expect([next.code, next.stderr]).toEqual([0, ''])
  })

  it('store restore refuses a damaged backup and changes nothing', async () => {
    const { configPath, store } = await createDamagedStore()
    await writeFile(`${store}.bak`, '{"version": 2')

    const restore = await runCli('store', 'restore', '--config', configPath)

    expect(restore.code).toBe(1)
    expect(restore.stderr).toContain(`the backup ${store}.bak is damaged too, so nothing was changed`)
    expect(await readFile(store, 'utf8')).toBe('{"version": 1, "sour')
  })
})
