import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'

/** The caps documented in src/caps.ts (CAPS), spelled out so a changed cap fails here. */
const CAPS = { maxEntriesPerAnswer: 1_000, maxTitleChars: 1_000, maxReferenceChars: 2_048, maxNameChars: 200, maxCategoriesPerAnswer: 100, maxSlugBytes: 64 }

let server: FeedServer
let dirs: string[]

beforeEach(async () => {
  server = await createFeedServer()
  dirs = []
})

afterEach(async () => {
  await server.close()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

interface ApiRecord {
  infoCode: string
  title: string
  datetime: string
  medianame: string
  url?: string
}

function apiRecord(index: number, extra: Partial<ApiRecord> = {}): ApiRecord {
  return { infoCode: `NW${String(index).padStart(6, '0')}`, title: `标题${index}`, datetime: '2022-01-11 13:35:18', medianame: '每日经济新闻', ...extra }
}

async function setUp(sources: object[]): Promise<string> {
  const { dir, configPath } = await writeConfig({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxItemsPerCategory: 5_000, maxAgeDays: 36_500 },
    output: { dir: 'out', html: false, opml: false, formats: ['rss'] },
    fetch: { timeoutMs: 5_000 },
    sources,
  })
  dirs.push(dir)
  return configPath
}

function jsonSource(): object {
  return {
    id: 'em-list',
    type: 'json',
    url: `${server.url}/api/list`,
    items: 'record',
    fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame', link: 'url' },
    shareLink: 'https://finews.example.com/NewsShare.html?infoCode={infoCode}',
  }
}

function readStore(configPath: string) {
  return readStoreSnapshot(join(configPath, '..', 'store', 'db.json'))
}

describe('caps on a JSON API', () => {
  it('keeps the first 1,000 entries of an answer with 1,500 and reports the source as degraded in status', async () => {
    server.routes['/api/list'] = JSON.stringify({ record: Array.from({ length: 1_500 }, (_, index) => apiRecord(index)) })
    const configPath = await setUp([jsonSource()])

    const run = await runCli('run', '--config', configPath)
    const status = await runCli('status', '--config', configPath)

    expect([run.code, (await readStore(configPath)).items.length]).toEqual([0, CAPS.maxEntriesPerAnswer])
    expect(status.stdout).toContain('em-list: degraded: answered 1500 entries; kept the first 1000')
    expect(status.stdout).toMatch(/^em-list\s+degraded\s/m)
  })

  it('cuts a 3,000,000-character title and drops a 100,018-character link, so one item cannot make rss.xml huge', async () => {
    const longLink = `https://news.example.com/${'a'.repeat(100_000)}.html`
    server.routes['/api/list'] = JSON.stringify({ record: [apiRecord(1, { title: '长'.repeat(3_000_000), url: longLink })] })
    const configPath = await setUp([jsonSource()])

    await runCli('run', '--config', configPath)
    const status = await runCli('status', '--config', configPath)

    const [item] = (await readStore(configPath)).items
    expect([item?.title.length, item?.link]).toEqual([CAPS.maxTitleChars, 'https://finews.example.com/NewsShare.html?infoCode=NW000001'])
    expect((await readFile(join(configPath, '..', 'out', 'rss.xml'))).length).toBeLessThan(20_000)
    expect(status.stdout).toContain(
      `em-list: degraded: link of 1 entry dropped: longer than ${CAPS.maxReferenceChars} characters; title of 1 entry cut to ${CAPS.maxTitleChars} characters`,
    )
  })

  it('files entries of more than 100 media outlets in one answer under the source id, and says so', async () => {
    server.routes['/api/list'] = JSON.stringify({ record: Array.from({ length: 300 }, (_, index) => apiRecord(index, { medianame: `Outlet ${index}` })) })
    const configPath = await setUp([jsonSource()])

    await runCli('run', '--config', configPath)
    const status = await runCli('status', '--config', configPath)

    const categories = new Set((await readStore(configPath)).items.map((item) => item.category))
    expect([categories.size, categories.has('em-list'), categories.has('outlet-99'), categories.has('outlet-100')]).toEqual([
      CAPS.maxCategoriesPerAnswer + 1,
      true,
      true,
      false,
    ])
    expect(status.stdout).toContain('em-list: degraded: entries named 300 media outlets; 100 became categories, the other 200 went to category em-list')
  })

  it('keeps the store byte for byte when the same over-long answer comes again, and clears degraded once the answer fits', async () => {
    server.routes['/api/list'] = JSON.stringify({ record: Array.from({ length: 1_001 }, (_, index) => apiRecord(index)) })
    const configPath = await setUp([jsonSource()])
    await runCli('run', '--config', configPath)
    const storePath = join(configPath, '..', 'store', 'db.json')
    const before = await readFile(storePath)

    await runCli('run', '--config', configPath)
    const again = await readFile(storePath)
    server.routes['/api/list'] = JSON.stringify({ record: [apiRecord(1), apiRecord(2)] })
    await runCli('run', '--config', configPath)
    const status = await runCli('status', '--config', configPath)

    expect(again.equals(before)).toBe(true)
    expect(status.stdout).not.toContain('degraded')
  })
})

describe('caps on a share page', () => {
  it('cuts a 2,000,000-character og:title and a 300-character media name, keeping the category directory name short', async () => {
    const media = '财'.repeat(300)
    server.routes['/share.html'] = `<!doctype html><html><head><meta property="og:title" content="${'题'.repeat(2_000_000)}"><meta name="source" content="${media}"></head><body><article><p>${'正文'.repeat(200)}</p></article></body></html>`
    const configPath = await setUp([{ id: 'picked', type: 'share', urls: [`${server.url}/share.html?infoCode=NW1`] }])

    await runCli('run', '--config', configPath)
    const status = await runCli('status', '--config', configPath)

    const [item] = (await readStore(configPath)).items
    const [categoryDir] = (await readdir(join(configPath, '..', 'out'), { withFileTypes: true })).filter((entry) => entry.isDirectory())
    expect([item?.title.length, item?.media?.length, Buffer.byteLength(categoryDir?.name ?? '')]).toEqual([
      CAPS.maxTitleChars,
      CAPS.maxNameChars,
      CAPS.maxSlugBytes,
    ])
    expect(status.stdout).toContain(
      `picked: degraded: ${server.url}/share.html?infoCode=NW1: media of 1 entry cut to 200 characters, title of 1 entry cut to 1000 characters`,
    )
  })
})
