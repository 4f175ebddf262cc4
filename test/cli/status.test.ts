import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { runCycle } from '../../src/pipeline/run-cycle.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { createMemoryLog, rssWith } from '../pipeline/cycle-test-helpers.js'

let server: FeedServer
let dir: string
let configPath: string

function configWith(sources: object[]) {
  return {
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out', html: false, opml: false },
    sources,
  }
}

beforeEach(async () => {
  server = await createFeedServer({
    '/ok.xml': rssWith('一', '二'),
    '/old.xml': (_req, res) => void res.writeHead(301, { location: `${server.url}/new.xml` }).end(),
    '/new.xml': rssWith('三'),
    '/gone.xml': { body: 'gone', status: 410 },
  })
  const sources = [
    { id: 'ok', type: 'feed', url: `${server.url}/ok.xml`, category: 'a' },
    { id: 'moved', type: 'feed', url: `${server.url}/old.xml`, category: 'b' },
    { id: 'gone', type: 'feed', url: `${server.url}/gone.xml`, category: 'c' },
  ]
  ;({ dir, configPath } = await writeConfig(configWith(sources)))
  const config = loadConfig({ fileText: await readFile(configPath, 'utf8'), baseDir: dir })
  for (const minutesAgo of [10, 5]) {
    await runCycle({ config, log: createMemoryLog(), now: () => new Date(Date.now() - minutesAgo * 60_000) })
  }
  // A source added after those cycles has never been fetched.
  await writeFile(configPath, JSON.stringify(configWith([...sources, { id: 'fresh', type: 'feed', url: `${server.url}/fresh.xml`, category: 'd' }])))
})

afterEach(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('feedloom status', () => {
  it('prints a table of id, state, last success, last error, failures, next attempt, items and reason', async () => {
    const result = await runCli('status', '--config', configPath)

    const lines = result.stdout.split('\n')
    expect(result.code).toBe(0)
    expect(lines[0]).toMatch(/^id\s+state\s+last success\s+last error\s+failures\s+next attempt\s+items\s+reason$/)
    expect(lines[1]).toMatch(/^ok\s+ok\s+10 min ago\s+-\s+0\s+next cycle\s+2\s+-$/)
    expect(lines[3]).toMatch(/^gone\s+retired\s+-\s+HTTP 410, 10 min ago\s+1\s+never \(410 Gone\)\s+0\s+\S.*410.*$/)
    expect(lines[4]).toMatch(/^fresh\s+new\s+-\s+-\s+0\s+next cycle\s+0\s+-$/)
  })

  it('shows why a source fails in a short reason column, not only the error code', async () => {
    await server.close()
    server = await createFeedServer({ '/page.html': '<!doctype html><html><body>a page</body></html>' })
    const { dir: pageDir, configPath: pagePath } = await writeConfig(configWith([{ id: 'page', type: 'feed', url: `${server.url}/page.html`, category: 'a' }]))
    try {
      await runCli('run', '--config', pagePath)
      const row = (await runCli('status', '--config', pagePath)).stdout.split('\n')[1]
      expect(row).toMatch(/^page\s+failing\s+-\s+E_PARSE_\w+, just now\s+1\s+next cycle\s+0\s+\S/)
      expect(row).not.toContain(server.url)
      expect(row?.length).toBeLessThan(160)
    } finally {
      await rm(pageDir, { recursive: true, force: true })
    }
  })

  it('shows the effective URL of a source moved by a 301 seen on two cycles', async () => {
    const result = await runCli('status', '--config', configPath)

    expect(result.stdout).toContain(`moved: fetched from ${server.url}/new.xml (moved permanently from ${server.url}/old.xml)`)
  })

  it('says how to bring a retired source back', async () => {
    const result = await runCli('status', '--config', configPath)

    expect(result.stdout).toContain(`gone: retired 10 min ago: ${server.url}/gone.xml answered 410 Gone; change its url in the config to fetch it again`)
  })

  it('prints a JSON array of objects with id and the health fields under --json', async () => {
    const result = await runCli('status', '--json', '--config', configPath)

    const health = JSON.parse(result.stdout) as Record<string, unknown>[]
    expect(health.map((one) => [one.id, one.state])).toEqual([['ok', 'ok'], ['moved', 'ok'], ['gone', 'retired'], ['fresh', 'new']])
    expect(health[1]).toMatchObject({ url: `${server.url}/old.xml`, effectiveUrl: `${server.url}/new.xml`, itemsSeen: 1 })
    expect(health[2]).toMatchObject({ retiredAt: expect.any(String), lastError: { code: 'E_FETCH_GONE', status: 410 }, consecutiveFailures: 1 })
  })

  it('does not create a store or a lock when there is none yet', async () => {
    await rm(`${dir}/store`, { recursive: true })

    const result = await runCli('status', '--json', '--config', configPath)

    expect(result.code).toBe(0)
    expect((JSON.parse(result.stdout) as { state: string }[]).every((one) => one.state === 'new')).toBe(true)
    expect(existsSync(`${dir}/store`)).toBe(false)
  })
})
