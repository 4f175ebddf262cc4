import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { writeConfig } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'

const repoRoot = resolve(import.meta.dirname, '../..')

const ARTICLE =
  '<!doctype html><html><head><meta property="og:title" content="深圳征信服务有限公司通过备案正式运行"></head>' +
  '<body><article><p>1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。</p></article></body></html>'

const DEEP = `<!doctype html><html><head><title>深</title></head><body>${'<div>'.repeat(2_000)}<p>正文</p>${'</div>'.repeat(2_000)}</body></html>`

let server: FeedServer
const dirs: string[] = []

beforeAll(async () => {
  const html = { 'content-type': 'text/html; charset=utf-8' }
  server = await createFeedServer({
    '/share/article.html': { body: ARTICLE, headers: html },
    '/share/deep.html': { body: DEEP, headers: html },
    // Longer than an answer parsed on the main thread while no thread is free: it must reach a thread.
    '/feed.xml': rssWith('央行开展MLF操作').replace('<description>', `<description>${'正文'.repeat(150_000)}`),
  })
})

afterAll(async () => {
  await server.close()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

/**
 * `feedloom run` as a user starts it, from the esbuild bundle bin/feedloom.js runs or from the tsc
 * output in dist/, both made by `npm run build` (npm ci runs it): share pages and feeds are parsed
 * on worker threads whose modules each build must ship and find.
 */
async function runBuilt(entry: string) {
  expect(existsSync(join(repoRoot, entry)), `${entry} is missing: run npm run build`).toBe(true)
  const { dir, configPath } = await writeConfig({
    site: { title: 't', url: 'https://news.example.com/' },
    output: { html: false, opml: false },
    store: { maxAgeDays: 36500 },
    fetch: { workers: 1 },
    sources: [
      { id: 'picked', type: 'share', urls: [`${server.url}/share/article.html`, `${server.url}/share/deep.html`], category: 'picked' },
      { id: 'nbd', type: 'feed', url: `${server.url}/feed.xml`, category: 'nbd' },
    ],
  })
  dirs.push(dir)
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(repoRoot, entry), 'run', '--config', configPath], { cwd: dir })
  const store = await readStoreSnapshot(join(dir, 'store/db.json'))
  return { stdout, stderr, titles: store.items.map((item) => item.title) }
}

describe.each(['bin/feedloom.js', 'dist/cli/bin.js'])('share pages through %s', (entry) => {
  it('extracts an article and parses a feed on their worker threads, and refuses a page nested too deep, naming it', async () => {
    const { titles, stderr } = await runBuilt(entry)

    expect(titles.sort()).toEqual(['央行开展MLF操作', '深圳征信服务有限公司通过备案正式运行'])
    expect(stderr).toContain(`source picked: cannot extract an article from ${server.url}/share/deep.html: its elements nest deeper than 256 levels`)
  })
})
