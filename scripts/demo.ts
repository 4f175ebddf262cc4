/**
 * `npm run demo`: serves the bundled samples (RSS, Atom and GBK feeds, a JSON news API with a
 * detail API, a share page) on 127.0.0.1, runs one feedloom cycle against them into ./demo,
 * and says where to look. Needs no internet. `npm run demo -- <dir>` writes elsewhere.
 *
 * `--serve` then keeps the sample servers up and serves out/ at the site URL the feeds were
 * written for, until Ctrl-C, so every link works. The ports are fixed (`--port`, default 8730, for
 * the site; `--samples-port`, default 8731, for the samples): the same URLs on every run, so a
 * second run rewrites nothing.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runMain } from '../src/cli/main.js'
import { createFeedServer, type Route } from '../test/helpers/feed-server.js'

const root = resolve(import.meta.dirname, '..')
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { serve: { type: 'boolean', default: false }, port: { type: 'string', default: '8730' }, 'samples-port': { type: 'string', default: '8731' } },
})
const demoDir = resolve(positionals[0] ?? join(root, 'demo'))
const sitePort = Number(flags.port)
const siteUrl = `http://127.0.0.1:${sitePort}/`
const samplesDir = join(root, 'samples')
const samplesUrl = `http://127.0.0.1:${Number(flags['samples-port'])}`
const shareCode = 'NW202201122243600123'

/**
 * The samples link to hosts under example.com, which do not exist: served, each such link points at
 * this server instead (`https://www.nbd.example.com/a` → `<samples>/www.nbd/a`), which answers any
 * path it has no sample for with a small article page, so every link of the demo's site works while
 * it runs. Works on the bytes as latin1, so the GBK sample keeps its encoding.
 */
const EXAMPLE_LINK = /https:\/\/([a-z0-9.-]+)\.example\.com\//g
function localizeLinks(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(EXAMPLE_LINK, (_match, host: string) => `${samplesUrl}/${host}/`), 'latin1')
}

/** A sample file with a strong ETag, answering If-None-Match with 304 like a polite server. */
async function sample(path: string, contentType: string): Promise<Route> {
  const body = localizeLinks(await readFile(join(samplesDir, path)))
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': contentType, etag }).end(body)
  }
}

const routes: Record<string, Route> = {
  '/api/list': await sample('api/list.json', 'application/json; charset=utf-8'),
  [`/html_News/NewsShare.html?infoCode=${shareCode}`]: await sample(`share/NewsShare-${shareCode}.html`, 'text/html; charset=utf-8'),
}
for (const name of await readdir(join(samplesDir, 'feeds'))) {
  // The GBK sample names its charset only in the XML prolog, as many Chinese sites do.
  const contentType = name.endsWith('-gbk.xml') ? 'application/xml' : 'application/xml; charset=utf-8'
  routes[`/${name}`] = await sample(`feeds/${name}`, contentType)
}
for (const name of await readdir(join(samplesDir, 'api'))) {
  const code = /^detail-(\w+)\.json$/.exec(name)?.[1]
  if (code) routes[`/api/detail?id=${code}`] = await sample(`api/${name}`, 'application/json; charset=utf-8')
}
routes['*'] = {
  body: '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例文章</title></head><body><p>演示：示例来源的文章页。</p></body></html>',
  headers: { 'content-type': 'text/html; charset=utf-8' },
}
const server = await createFeedServer(routes, Number(flags['samples-port']))

const config = {
  site: { title: '金融消息（演示）', url: siteUrl, timezone: 'Asia/Shanghai' },
  store: { path: 'store/db.json', maxAgeDays: 36500 },
  output: {
    dir: 'out',
    // The samples are from January 2022; a long live window keeps their posts.
    jekyll: { dir: '_posts', siteUrl: '//finews.example.com', categoryPage: '/category/{category}.html', liveDays: 36500 },
  },
  categories: {
    meirijingjixinwen: { title: '每日经济新闻' },
    zhengquanshibao: { title: '证券时报' },
    diyicaijing: { title: '第一财经' },
  },
  sources: [
    { id: 'nbd', type: 'feed', url: `${server.url}/nbd.xml`, category: 'meirijingjixinwen' },
    { id: 'stcn', type: 'feed', url: `${server.url}/stcn.xml`, category: 'zhengquanshibao' },
    { id: 'eastmoney', type: 'feed', url: `${server.url}/eastmoney.xml` },
    { id: 'yicai', type: 'feed', url: `${server.url}/yicai-gbk.xml`, category: 'diyicaijing' },
    {
      id: 'em-list',
      type: 'json',
      url: `${server.url}/api/list`,
      items: 'record',
      fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame', summary: 'digest' },
      detail: { url: `${server.url}/api/detail?id={infoCode}`, content: 'text' },
      shareLink: `${server.url}/html_News/NewsShare.html?infoCode={infoCode}`,
    },
    { id: 'picked', type: 'share', urls: [`${server.url}/html_News/NewsShare.html?infoCode=${shareCode}`] },
  ],
}
await mkdir(demoDir, { recursive: true })
const configPath = join(demoDir, 'feeds.config.json')
const configText = `${JSON.stringify(config, null, 2)}\n`
// Written only when it differs: a second run must leave every file as it was.
if ((await readFile(configPath, 'utf8').catch(() => '')) !== configText) await writeFile(configPath, configText)

const stop = new AbortController()
const io = { env: {}, stdout: (line: string) => console.log(line), stderr: (line: string) => console.error(line), signal: stop.signal }
const code = await runMain({ ...io, argv: ['run', '--config', configPath] })

if (code === 0) {
  const outDir = join(demoDir, 'out')
  const categories = (await readdir(outDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
    .map((entry) => entry.name)
  console.log(`
Sample sources were served from ${server.url} and aggregated into ${outDir}:
  ${join(outDir, 'index.html')}      open in a browser
  ${join(outDir, 'rss.xml')}         all categories (also atom.xml, feed.json)
${categories.map((c) => `  ${join(outDir, c, 'rss.xml')}`).join('\n')}
  ${join(outDir, '_posts')}          Jekyll posts, as the replaced system published them
Store: ${join(demoDir, 'store', 'db.json')}   Config: ${configPath}
Run \`npm run demo\` again: every source answers 304 and nothing is rewritten.`)
}
if (code === 0 && flags.serve) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort(signal))
  console.log(`Open ${siteUrl} (the sample sources stay up at ${server.url}); Ctrl-C stops both.`)
  process.exitCode = await runMain({ ...io, argv: ['serve', '--port', String(sitePort), '--config', configPath] })
} else process.exitCode = code
await server.close()
