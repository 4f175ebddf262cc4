import { access, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { spawnCli, writeConfig } from '../helpers/run-cli.js'

/** As the attack round ran it: `ulimit -n 1024`. */
const MAX_OPEN_FILES = 1024
const APIS = 3
/** Media outlets per API answer: the most that become categories from one answer. */
const OUTLETS_PER_API = 100
const FILES_PER_CATEGORY = ['rss.xml', 'atom.xml', 'feed.json', 'index.html']

let server: FeedServer
let dir: string

beforeAll(async () => {
  server = await createFeedServer()
  for (let api = 0; api < APIS; api += 1) {
    const record = Array.from({ length: OUTLETS_PER_API }, (_, n) => ({
      infoCode: `NW${api}X${n}`,
      title: `标题 ${api}-${n}`,
      datetime: '2022-01-11 13:35:18',
      medianame: `Outlet ${api}-${n}`,
    }))
    server.routes[`/api/${api}`] = JSON.stringify({ record })
  }
})

afterAll(async () => {
  await server.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

function runUnderLimit(configPath: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(['run', '--config', configPath], { maxOpenFiles: MAX_OPEN_FILES })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout.resume()
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })))
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

describe('publishing 300 categories under a file descriptor limit', () => {
  it(`writes every file and feeds.opml under ulimit -n ${MAX_OPEN_FILES}`, async () => {
    const sources = Array.from({ length: APIS }, (_, api) => ({
      id: `api-${api}`,
      type: 'json',
      url: `${server.url}/api/${api}`,
      items: 'record',
      fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame' },
      shareLink: 'https://finews.example.com/NewsShare.html?infoCode={infoCode}',
    }))
    ;({ dir } = await writeConfig({
      site: { title: '金融消息', url: 'https://news.example.com/' },
      store: { path: 'store/db.json', maxAgeDays: 36_500 },
      output: { dir: 'out', formats: ['rss', 'atom', 'json'], html: true, opml: true },
      sources,
    }))

    const { code, stderr } = await runUnderLimit(join(dir, 'feeds.config.json'))

    const categories = Array.from({ length: APIS * OUTLETS_PER_API }, (_, n) => `outlet-${Math.floor(n / OUTLETS_PER_API)}-${n % OUTLETS_PER_API}`)
    const files = ['feeds.opml', 'index.html', 'rss.xml', ...categories.flatMap((category) => FILES_PER_CATEGORY.map((file) => `${category}/${file}`))]
    const missing: string[] = []
    for (const file of files) if (!(await exists(join(dir, 'out', file)))) missing.push(file)
    expect({ code, missing, emfile: stderr.includes('EMFILE') }).toEqual({ code: 0, missing: [], emfile: false })
  })
})
