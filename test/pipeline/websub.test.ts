import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../src/config/config-schema.js'
import { closedPort, createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createTempDir, removeTempDir } from '../store/store-test-helpers.js'
import { createCycleConfig, createMemoryLog, rssWith, runCycleAt } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')
const LATER = new Date('2022-01-12T00:05:00.000Z')

interface Ping {
  contentType: string | undefined
  fields: Record<string, string>
}

let feeds: FeedServer
let hub: FeedServer
let pings: Ping[]
let dir: string

beforeEach(async () => {
  feeds = await createFeedServer({ '/feed.xml': rssWith('一') })
  pings = []
  hub = await createFeedServer({
    '/hub': (req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        pings.push({ contentType: req.headers['content-type'], fields: Object.fromEntries(new URLSearchParams(body)) })
        res.writeHead(204).end()
      })
    },
  })
  dir = await createTempDir()
})

afterEach(async () => {
  await feeds.close()
  await hub.close()
  await removeTempDir(dir)
})

function configWithHub(hubUrl: string | null = `${hub.url}/hub`): Readonly<Config> {
  return createCycleConfig(dir, [{ id: 'nbd', type: 'feed', url: `${feeds.url}/feed.xml`, category: 'meirijingjixinwen' }], {
    output: { dir: 'out', html: false, opml: false, ...(hubUrl === null ? {} : { websub: { hub: hubUrl } }) },
  })
}

const outFile = (name: string) => readFile(join(dir, 'out', name), 'utf8')

describe('WebSub: feeds name the hub', () => {
  it('puts <atom:link rel="hub"> in RSS', async () => {
    await runCycleAt(configWithHub(), NOW)

    expect(await outFile('meirijingjixinwen/rss.xml')).toContain(`<atom:link href="${hub.url}/hub" rel="hub"/>`)
  })

  it('puts <link rel="hub"> in Atom', async () => {
    await runCycleAt(configWithHub(), NOW)

    expect(await outFile('atom.xml')).toContain(`<link rel="hub" href="${hub.url}/hub"/>`)
  })

  it('lists the hub under hubs in JSON Feed', async () => {
    await runCycleAt(configWithHub(), NOW)

    expect(JSON.parse(await outFile('feed.json')).hubs).toEqual([{ type: 'WebSub', url: `${hub.url}/hub` }])
  })

  it('names no hub without output.websub', async () => {
    await runCycleAt(configWithHub(null), NOW)

    expect(await outFile('rss.xml')).not.toContain('rel="hub"')
    expect(JSON.parse(await outFile('feed.json')).hubs).toBeUndefined()
  })
})

describe('WebSub: pinging the hub', () => {
  it('posts hub.mode=publish with each changed feed URL, form-encoded', async () => {
    const summary = await runCycleAt(configWithHub(), NOW)

    const feedUrls = ['rss.xml', 'atom.xml', 'feed.json', 'meirijingjixinwen/rss.xml', 'meirijingjixinwen/atom.xml', 'meirijingjixinwen/feed.json'].map(
      (file) => `https://news.example.com/${file}`,
    )
    expect(pings.map((ping) => ping.fields).sort((a, b) => (a['hub.url'] ?? '').localeCompare(b['hub.url'] ?? ''))).toEqual(
      feedUrls.sort().map((url) => ({ 'hub.mode': 'publish', 'hub.url': url })),
    )
    expect(new Set(pings.map((ping) => ping.contentType))).toEqual(new Set(['application/x-www-form-urlencoded']))
    expect(summary.hub).toEqual({ url: `${hub.url}/hub`, pinged: expect.arrayContaining(feedUrls), failed: [] })
  })

  it('pings only for the feeds that changed', async () => {
    feeds.routes['/other.xml'] = rssWith('二')
    const sources = [
      { id: 'nbd', type: 'feed', url: `${feeds.url}/feed.xml`, category: 'meirijingjixinwen' },
      { id: 'other', type: 'feed', url: `${feeds.url}/other.xml`, category: 'zhengquanshibao' },
    ]
    const output = { dir: 'out', html: false, opml: false, formats: ['rss'], websub: { hub: `${hub.url}/hub` } }
    const config = createCycleConfig(dir, sources, { output })
    await runCycleAt(config, NOW)
    pings = []
    feeds.routes['/other.xml'] = rssWith('二', '三')

    await runCycleAt(config, LATER)

    expect(pings.map((ping) => ping.fields['hub.url']).sort()).toEqual(['https://news.example.com/rss.xml', 'https://news.example.com/zhengquanshibao/rss.xml'])
  })

  it('does not ping when no feed changed', async () => {
    const config = configWithHub()
    await runCycleAt(config, NOW)
    pings = []

    const summary = await runCycleAt(config, LATER)

    expect(pings).toEqual([])
    expect(summary.hub).toBeUndefined()
  })

  it('logs a hub that answers 500 and changes nothing else', async () => {
    hub.routes['/hub'] = { body: 'broken', status: 500 }
    const log = createMemoryLog()

    const summary = await runCycleAt(configWithHub(), NOW, { log })

    expect(summary.storeWritten).toBe(true)
    expect(summary.filesWritten).toContain('rss.xml')
    expect(summary.hub?.failed).toHaveLength(6)
    expect(log.records).toContainEqual({
      level: 'warn',
      message: `WebSub hub ${hub.url}/hub not pinged for https://news.example.com/rss.xml: fetch failed for ${hub.url}/hub: HTTP 500`,
      fields: { url: `${hub.url}/hub`, feedUrl: 'https://news.example.com/rss.xml', code: 'E_FETCH_STATUS' },
    })
  })

  it('logs a hub that cannot be reached and still completes the cycle', async () => {
    const log = createMemoryLog()
    const config = configWithHub(`http://127.0.0.1:${await closedPort()}/hub`)

    const summary = await runCycleAt(config, NOW, { log })

    expect(summary.items.added).toBe(1)
    expect(summary.hub?.pinged).toEqual([])
    expect(log.records.filter((record) => record.message.startsWith('WebSub hub'))).toHaveLength(6)
  })

  it('does not ping in a dry run', async () => {
    const summary = await runCycleAt(configWithHub(), NOW, { dryRun: true })

    expect(pings).toEqual([])
    expect(summary.dryRun?.hubFeedUrls).toHaveLength(6)
  })
})
