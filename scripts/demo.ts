/**
 * `npm run demo`: serves the bundled sample feeds on 127.0.0.1, runs one feedloom cycle
 * against them into ./demo, and says where to look. Needs no internet.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { runMain } from '../src/cli/main.js'
import { createFeedServer, type Route } from '../test/helpers/feed-server.js'

const root = resolve(import.meta.dirname, '..')
const demoDir = join(root, 'demo')
const samplesDir = join(root, 'samples', 'feeds')

const routes: Record<string, Route> = {}
for (const name of await readdir(samplesDir)) {
  const body = await readFile(join(samplesDir, name))
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`
  routes[`/${name}`] = (req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
    // The GBK sample declares its charset only in the XML prolog, as many Chinese sites do.
    res.writeHead(200, { 'content-type': name.endsWith('-gbk.xml') ? 'application/xml' : 'application/xml; charset=utf-8', etag }).end(body)
  }
}
const server = await createFeedServer(routes)

const config = {
  site: { title: '金融消息（演示）', url: 'https://news.example.com/', timezone: 'Asia/Shanghai' },
  store: { path: 'store/db.json', maxAgeDays: 36500 },
  output: { dir: 'out' },
  categories: { meirijingjixinwen: { title: '每日经济新闻' }, zhengquanshibao: { title: '证券时报' } },
  sources: [
    { id: 'nbd', type: 'feed', url: `${server.url}/nbd.xml`, category: 'meirijingjixinwen' },
    { id: 'stcn', type: 'feed', url: `${server.url}/stcn.xml`, category: 'zhengquanshibao' },
    { id: 'eastmoney', type: 'feed', url: `${server.url}/eastmoney.xml` },
    { id: 'yicai', type: 'feed', url: `${server.url}/yicai-gbk.xml`, category: 'diyicaijing' },
  ],
}
await mkdir(demoDir, { recursive: true })
const configPath = join(demoDir, 'feeds.config.json')
await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`)

const code = await runMain({
  argv: ['run', '--config', configPath],
  env: {},
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
  signal: new AbortController().signal,
})
await server.close()

if (code === 0) {
  const outDir = join(demoDir, 'out')
  const categories = (await readdir(outDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  console.log(`
Sample feeds were served from ${server.url} and aggregated into ${outDir}:
  ${join(outDir, 'rss.xml')}        all categories (also atom.xml, feed.json)
${categories.map((c) => `  ${join(outDir, c, 'rss.xml')}`).join('\n')}
Store: ${join(demoDir, 'store', 'db.json')}   Config: ${configPath}
Run \`npm run demo\` again: every source answers 304 and nothing is rewritten.`)
}
process.exitCode = code
