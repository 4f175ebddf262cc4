import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { useTestPostgres } from '../helpers/postgres.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const postgres = await useTestPostgres()

describe.skipIf(postgres === undefined)('feedloom with a PostgreSQL store (store.url)', () => {
  const db = postgres as NonNullable<typeof postgres>
  let server: FeedServer
  let feed = rssWith('央行开展逆回购', '沪指收涨')
  beforeEach(async () => {
    feed = rssWith('央行开展逆回购', '沪指收涨')
    server = await createFeedServer({
      '/nbd.xml': (req, res) => {
        const etag = `"${Buffer.byteLength(feed)}"`
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(feed)
      },
    })
  })
  afterEach(async () => {
    await server.close()
  })
  const configFor = (url: string) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { url, maxAgeDays: 36500 },
    output: { dir: 'out', html: false, opml: false },
    sources: [{ id: 'nbd', type: 'feed', url: `${server.url}/nbd.xml`, category: 'meirijingjixinwen' }],
  })
  const runJson = async (configPath: string) => {
    const run = await runCli('run', '--config', configPath, '--log-format', 'json')
    return { code: run.code, summary: JSON.parse(run.stdout) as { items: { added: number }; storeWritten: boolean; filesWritten: number } }
  }

  it('runs cycles into the database: items published, a no-change cycle commits nothing, no lock file', async () => {
    const schema = await db.createSchema()
    const { dir, configPath } = await writeConfig(configFor(schema.url))

    const first = await runJson(configPath)
    const second = await runJson(configPath)
    feed = rssWith('央行开展逆回购', '沪指收涨', '人民币中间价调升')
    const third = await runJson(configPath)

    expect(first).toMatchObject({ code: 0, summary: { items: { added: 2 }, storeWritten: true } })
    expect(second).toMatchObject({ code: 0, summary: { items: { added: 0 }, storeWritten: false, filesWritten: 0 } })
    expect(third).toMatchObject({ code: 0, summary: { items: { added: 1 }, storeWritten: true } })
    const rss = await readFile(join(dir, 'out', 'meirijingjixinwen', 'rss.xml'), 'utf8')
    expect(rss.match(/<item>/g)).toHaveLength(3)
    expect(await db.query(`SELECT count(*)::integer AS count FROM ${schema.name}.items`)).toEqual([{ count: 3 }])
    expect(existsSync(join(dir, 'store'))).toBe(false)
  })

  it('names the database, without its password, in a dry run, and commits nothing', async () => {
    const schema = await db.createSchema()
    const { configPath } = await writeConfig(configFor(schema.url))
    await runJson(configPath)
    feed = rssWith('央行开展逆回购', '沪指收涨', '人民币中间价调升')

    const dryRun = await runCli('run', '--dry-run', '--config', configPath)

    expect(dryRun.code).toBe(0)
    expect(dryRun.stdout).toContain(`postgres://feedloom_test@${new URL(schema.url).host}${new URL(schema.url).pathname}: would be saved`)
    expect(dryRun.stdout).not.toContain(':feedloom_test@')
    expect(await db.query(`SELECT count(*)::integer AS count FROM ${schema.name}.items`)).toEqual([{ count: 2 }])
  })

  it('rebuilds out/ from the database and reports source health from it', async () => {
    const schema = await db.createSchema()
    const { dir, configPath } = await writeConfig(configFor(schema.url))
    await runJson(configPath)

    const build = await runCli('build', '--config', configPath)
    const status = await runCli('status', '--json', '--config', configPath)

    expect(build.code).toBe(0)
    expect((await readFile(join(dir, 'out', 'rss.xml'), 'utf8')).match(/<item>/g)).toHaveLength(2)
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ sources: [{ id: 'nbd', state: 'ok', itemsSeen: 2 }], workers: [], queue: { idle: true } })
  })
})
