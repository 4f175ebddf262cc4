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
  mode: string | null
  /** Every `hub.url` of the request, in order. */
  feedUrls: string[]
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
        const form = new URLSearchParams(body)
        pings.push({ contentType: req.headers['content-type'], mode: form.get('hub.mode'), feedUrls: form.getAll('hub.url') })
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
  it('posts hub.mode=publish with every changed feed URL in one form-encoded request', async () => {
    const summary = await runCycleAt(configWithHub(), NOW)

    const feedUrls = ['rss.xml', 'atom.xml', 'feed.json', 'meirijingjixinwen/rss.xml', 'meirijingjixinwen/atom.xml', 'meirijingjixinwen/feed.json'].map(
      (file) => `https://news.example.com/${file}`,
    )
    expect(pings.map((ping) => ({ mode: ping.mode, feedUrls: [...ping.feedUrls].sort() }))).toEqual([{ mode: 'publish', feedUrls: [...feedUrls].sort() }])
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

    expect(pings.flatMap((ping) => ping.feedUrls).sort()).toEqual(['https://news.example.com/rss.xml', 'https://news.example.com/zhengquanshibao/rss.xml'])
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
    expect(log.records.filter((record) => record.message.startsWith('WebSub hub'))).toEqual([
      {
        level: 'warn',
        message: `WebSub hub ${hub.url}/hub not pinged for 6 feeds (https://news.example.com/rss.xml …): fetch failed for ${hub.url}/hub: HTTP 500`,
        fields: { url: `${hub.url}/hub`, feedUrls: summary.hub?.failed.map((failure) => failure.feedUrl), code: 'E_FETCH_STATUS' },
      },
    ])
  })

  it('logs a hub that cannot be reached and still completes the cycle', async () => {
    const log = createMemoryLog()
    const config = configWithHub(`http://127.0.0.1:${await closedPort()}/hub`)

    const summary = await runCycleAt(config, NOW, { log })

    expect(summary.items.added).toBe(1)
    expect(summary.hub?.pinged).toEqual([])
    expect(summary.hub?.failed).toHaveLength(6)
    expect(log.records.filter((record) => record.message.startsWith('WebSub hub'))).toHaveLength(1)
  })

  it('names at most 100 feeds per request: 200 changed categories take 3 pings, not 201', async () => {
    const outlets = (api: number) =>
      JSON.stringify({
        record: Array.from({ length: 100 }, (_, n) => ({ infoCode: `NW${api}X${n}`, title: `标题${n}`, datetime: '2022-01-11 13:35:18', medianame: `Outlet ${api}-${n}` })),
      })
    feeds.routes['/api/0'] = outlets(0)
    feeds.routes['/api/1'] = outlets(1)
    const sources = [0, 1].map((api) => ({
      id: `api-${api}`,
      type: 'json',
      url: `${feeds.url}/api/${api}`,
      items: 'record',
      fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame' },
      shareLink: 'https://finews.example.com/NewsShare.html?infoCode={infoCode}',
    }))
    const output = { dir: 'out', html: false, opml: false, formats: ['rss'], websub: { hub: `${hub.url}/hub` } }

    const summary = await runCycleAt(createCycleConfig(dir, sources, { output }), NOW)

    expect(pings.map((ping) => ping.feedUrls.length)).toEqual([100, 100, 1])
    expect(pings[0]?.feedUrls[0]).toBe('https://news.example.com/rss.xml')
    expect(new Set(pings.flatMap((ping) => ping.feedUrls)).size).toBe(201)
    expect(summary.hub?.pinged).toHaveLength(201)
  })

  it('does not ping in a dry run', async () => {
    const summary = await runCycleAt(configWithHub(), NOW, { dryRun: true })

    expect(pings).toEqual([])
    expect(summary.dryRun?.hubFeedUrls).toHaveLength(6)
  })
})
