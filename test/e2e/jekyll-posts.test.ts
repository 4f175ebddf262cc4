import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'

const POST = '_posts/2022-01-11-NW202201110000000001.md'
const HAND_WRITTEN = '_posts/2022-01-01-my-trip.md'

let server: FeedServer
let dir: string | undefined
let configPath = ''

beforeEach(async () => {
  server = await createFeedServer({
    '/rss.xml': {
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>每日经济新闻</title><link>https://nbd.example.com/</link><description>d</description>
<item><title>央行开展逆回购操作</title><link>https://nbd.example.com/NewsShare.html?infoCode=NW202201110000000001</link><pubDate>Tue, 11 Jan 2022 13:35:18 +0800</pubDate><description>&lt;p&gt;正文。&lt;/p&gt;</description></item>
</channel></rss>`,
    },
  })
})

afterEach(async () => {
  await server.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** Writes the config; `liveDays` decides whether the 2022 item's post is live. */
async function useConfig(liveDays: number): Promise<void> {
  const config = {
    site: { title: '金融消息', url: 'https://news.example.com/', timezone: 'Asia/Shanghai' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out', jekyll: { dir: '_posts', siteUrl: '//finews.example.com', liveDays } },
    fetch: { timeoutMs: 5000 },
    sources: [{ id: 'nbd', type: 'feed', url: `${server.url}/rss.xml`, category: 'meirijingjixinwen' }],
  }
  if (dir === undefined) ({ dir, configPath } = await writeConfig(config))
  else await writeFile(configPath, JSON.stringify(config))
}

async function recordedPosts(): Promise<unknown> {
  const store = JSON.parse(await readFile(inDir('store/db.json'), 'utf8')) as { publish?: { jekyllPosts?: string[] } }
  return store.publish?.jekyllPosts
}

async function listPosts(): Promise<string[]> {
  return (await readdir(inDir('out/_posts'))).sort().map((name) => `_posts/${name}`)
}

function inDir(file: string): string {
  if (dir === undefined) throw new Error('no config written yet')
  return join(dir, file)
}

describe.each(['run', 'build'])('Jekyll posts through `%s`', (command) => {
  it('records the posts it wrote in the store, and removes and logs only those once their window closes', async () => {
    await useConfig(36500)
    await runCli('run', '--config', configPath)
    const recorded = await recordedPosts()
    await writeFile(inDir(`out/${HAND_WRITTEN}`), '---\ntitle: 手写\n---\n')
    await useConfig(1)
    const result = await runCli(command, '--config', configPath)
    expect([recorded, result.code, await recordedPosts(), await listPosts()]).toEqual([[POST], 0, [], [HAND_WRITTEN]])
    expect(`${result.stdout}\n${result.stderr}`).toContain(`removed ${POST}: its item left the live window or is no longer published`)
  })

  it('reports, and leaves in place, a post-named file that a store without a record cannot show it wrote', async () => {
    await useConfig(36500)
    await runCli('run', '--config', configPath)
    const store = JSON.parse(await readFile(inDir('store/db.json'), 'utf8')) as { publish?: object }
    delete store.publish
    await writeFile(inDir('store/db.json'), JSON.stringify(store))
    await writeFile(inDir('out/_posts/2021-12-31-NW1.md'), '---\ntitle: 旧\n---\n')
    const result = await runCli(command, '--config', configPath)
    expect([await recordedPosts(), await listPosts()]).toEqual([[POST], ['_posts/2021-12-31-NW1.md', POST]])
    expect(result.stderr).toContain("left _posts/2021-12-31-NW1.md in place: the store has no record of feedloom writing it and it differs from feedloom's post")
  })
})
