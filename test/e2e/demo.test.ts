import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { readTree } from '../helpers/file-tree.js'
import { atomSchemaErrors, hasJudges, judgeFeeds, judgesMissing, xmllintErrors } from '../helpers/judge-feeds.js'

const root = resolve(import.meta.dirname, '../..')
const dirs: string[] = []
const goldenDir = join(root, 'test/fixtures/demo-golden')
/** `FEEDLOOM_UPDATE_GOLDEN=1` (`npm run demo:golden`) writes the golden copy from this run instead of comparing. */
const updateGolden = process.env.FEEDLOOM_UPDATE_GOLDEN === '1'

/**
 * The fields that hold the cycle's own clock (when an item was first seen, when a source was last
 * fetched, how long a step took): everything else the demo writes comes from the samples.
 */
const CLOCK_FIELD = /"(firstSeen|lastAttemptAt|lastSuccessAt|lastErrorAt|failingSince|since|durationMs|startedAt|finishedAt)":( ?)("[^"]*"|\d+)/g

/** The store and status.json with the clock masked; every other file as it is. */
function withClockMasked(name: string, bytes: Buffer): Buffer {
  if (!name.startsWith('store/') && name !== 'out/status.json') return bytes
  return Buffer.from(bytes.toString('utf8').replace(CLOCK_FIELD, '"$1":$2"<clock>"'))
}

async function maskedTree(dir: string): Promise<Map<string, Buffer>> {
  const files = await readTree(dir)
  for (const [name, bytes] of files) files.set(name, withClockMasked(name, bytes))
  return files
}

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

describe('npm run demo, byte for byte', () => {
  it('writes the config, out/ and the store exactly as the golden copy in test/fixtures/demo-golden (the clock masked in the store and status.json)', async () => {
    const { dir } = await runDemo()
    const written = await maskedTree(dir)
    if (updateGolden) {
      await rm(goldenDir, { recursive: true, force: true })
      for (const [name, bytes] of written) {
        await mkdir(dirname(join(goldenDir, name)), { recursive: true })
        await writeFile(join(goldenDir, name), bytes)
      }
    }
    const golden = await readTree(goldenDir)
    expect([...written.keys()]).toEqual([...golden.keys()])
    for (const [name, bytes] of written) expect(bytes.toString('utf8'), name).toBe(golden.get(name)?.toString('utf8'))
    for (const [name, bytes] of written) expect(bytes.equals(golden.get(name) ?? Buffer.alloc(0)), name).toBe(true)
  }, 60_000)
})
