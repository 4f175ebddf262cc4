/**
 * feedloom as a library: a program in its own folder imports 'feedloom' by name, resolved through
 * node_modules/feedloom to this checkout's package.json (its `exports`, dist/index.js and
 * dist/index.d.ts), the way an installed copy is resolved. Needs dist/ built (npm ci builds it).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

/** The embedding program: one cycle over the feed at argv[3], then the store's newest items rendered as Atom. */
const PROGRAM = `
import { loadConfig, openStore, renderFeed, runCycle } from 'feedloom'

const [dir, feedUrl] = process.argv.slice(2)
const config = loadConfig({
  fileText: JSON.stringify({
    site: { title: 'Embedded', url: 'https://news.example.com/' },
    store: { maxAgeDays: 36500 },
    output: { formats: ['rss'], html: false, opml: false },
    sources: [{ id: 'nbd', type: 'feed', url: feedUrl, category: 'nbd' }],
  }),
  baseDir: dir,
})
const quiet = { info() {}, warn() {}, error() {} }
const summary = await runCycle({ config, log: quiet })
const store = await openStore({ path: config.store.path, lock: false })
const items = await store.newestItems({ limit: 10 })
await store.close()
const atom = renderFeed({ format: 'atom', title: 'Picked', homeUrl: 'https://example.org/', selfUrl: 'https://example.org/atom.xml', items })
console.log(JSON.stringify({ added: summary.items.added, failed: summary.sources.failed, atom }))
`

/** Invalid config: the package's own error class and code reach the program. */
const CONFIG_ERROR_PROGRAM = `
import { ConfigError, loadConfig } from 'feedloom'

try {
  loadConfig({ fileText: '{ "sources": 3 }', baseDir: process.cwd() })
} catch (err) {
  console.log(JSON.stringify({ isConfigError: err instanceof ConfigError, code: err.code, issues: err.issues }))
}
`

/** Type-checked against dist/index.d.ts: a misspelt option or a missing export fails tsc. */
const TYPED_PROGRAM = `
import { type CycleSummary, type Logger, loadConfig, runCycle, type StoredItem, renderFeed } from 'feedloom'

const log: Logger = { info() {}, warn() {}, error() {} }
const config = loadConfig({ fileText: '{}', baseDir: '.' })
const summary: CycleSummary = await runCycle({ config, log, dryRun: true })
const items: StoredItem[] = []
const json: string = renderFeed({ format: 'json', title: 't', homeUrl: 'https://e.org/', selfUrl: 'https://e.org/feed.json', items })
export { summary, json }
`

let project: string
let server: FeedServer

beforeAll(async () => {
  expect(existsSync(join(root, 'dist/index.js')), 'dist/index.js is missing: run npm run build').toBe(true)
  project = await mkdtemp(join(tmpdir(), 'feedloom-embed-'))
  await mkdir(join(project, 'node_modules'))
  await symlink(root, join(project, 'node_modules', 'feedloom'), 'dir')
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'embedder', private: true, type: 'module' }))
  server = await createFeedServer({ '/nbd.xml': rssWith('一', '二') })
})

afterAll(async () => {
  await server?.close()
  if (project) await rm(project, { recursive: true, force: true })
})

async function runProgram(name: string, text: string, ...args: string[]): Promise<unknown> {
  await writeFile(join(project, name), text)
  const { stdout } = await run(process.execPath, [name, ...args], { cwd: project })
  return JSON.parse(stdout)
}

describe("import from 'feedloom'", () => {
  it('loads a config, runs a cycle that writes the feed file, and renders the stored items', async () => {
    const dir = join(project, 'site')
    await mkdir(dir)
    const result = (await runProgram('embed.mjs', PROGRAM, dir, `${server.url}/nbd.xml`)) as { added: number; failed: number; atom: string }
    expect(result).toMatchObject({ added: 2, failed: 0 })
    const rss = await readFile(join(dir, 'out', 'rss.xml'), 'utf8')
    expect(rss).toContain('<title><![CDATA[一]]></title>')
    expect(rss).toContain('<title><![CDATA[二]]></title>')
    expect(result.atom).toContain('<link rel="self" href="https://example.org/atom.xml"/>')
    expect(result.atom.match(/<entry>/g)).toHaveLength(2)
  })

  it('throws its ConfigError, with its code, for an invalid config', async () => {
    expect(await runProgram('invalid.mjs', CONFIG_ERROR_PROGRAM)).toMatchObject({
      isConfigError: true,
      code: 'E_CONFIG_INVALID',
      issues: expect.arrayContaining([expect.stringMatching(/^sources/)]),
    })
  })

  it('type-checks a TypeScript program against dist/index.d.ts', async () => {
    await writeFile(join(project, 'typed.ts'), TYPED_PROGRAM)
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['typed.ts'] }
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig))
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).then(
      () => 'ok',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    )
    expect(checked).toBe('ok')
  }, 60_000)
})
