import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { atomSchemaErrors, hasJudges, judgeFeeds, judgesMissing, xmllintErrors } from '../helpers/judge-feeds.js'

const root = resolve(import.meta.dirname, '../..')
const dirs: string[] = []

let demo: Promise<{ dir: string; stdout: string }> | undefined

/** The demo runs once per file: each run costs seconds, and every test reads the same outputs. */
function runDemo(): Promise<{ dir: string; stdout: string }> {
  demo ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feedloom-demo-'))
    dirs.push(dir)
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', dir], { cwd: root })
    return { dir, stdout }
  })()
  return demo
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('npm run demo', () => {
  it.skipIf(!hasFeedparser)(
    `writes per-category feeds that Python's feedparser reads without error${hasFeedparser ? '' : ` (${feedparserMissing})`}`,
    async () => {
      const { dir, stdout } = await runDemo()
      expect(stdout).toMatch(/sources 6 ok, 0 not modified, 0 failed; items 12 new/)
      const out = join(dir, 'out')
      const categories = (await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('_'))
      expect(categories.map((e) => e.name).sort()).toEqual([
        'diyicaijing',
        'meirijingjixinwen',
        'shanghaizhengquanbao',
        'zhengquanshibao',
        'zhongguozhengquanbao',
      ])
      const files = ['', ...categories.map((e) => e.name)].flatMap((folder) => ['rss.xml', 'atom.xml'].map((f) => join(out, folder, f)))
      for (const report of readFeeds(files)) expect(report).toMatchObject({ bozo: 0, error: '' })
    },
    // The demo's own cycle runs here, in a child process.
    60_000,
  )

  it.skipIf(!hasJudges)(
    `writes only files that pass feedparser without bozo, xmllint and RFC 4287's schema${hasJudges ? '' : ` (${judgesMissing})`}`,
    async () => {
      const { dir } = await runDemo()
      const out = join(dir, 'out')
      const folders = ['', ...(await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('_')).map((e) => e.name)]
      const xmlFiles = folders.flatMap((folder) => ['rss.xml', 'atom.xml'].map((file) => join(out, folder, file)))
      const reports = judgeFeeds([...xmlFiles, ...folders.map((folder) => join(out, folder, 'feed.json'))])
      expect(reports.filter((report) => report.bozo !== 0).map((report) => report.error)).toEqual([])
      expect(reports.every((report) => report.entries.length > 0)).toBe(true)
      expect(xmllintErrors([...xmlFiles, join(out, 'feeds.opml')])).toBe('')
      expect(atomSchemaErrors(xmlFiles.filter((file) => file.endsWith('atom.xml')))).toBe('')
    },
    60_000,
  )
})
