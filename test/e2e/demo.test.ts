import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'

const root = resolve(import.meta.dirname, '../..')
const dirs: string[] = []

async function runDemo(): Promise<{ dir: string; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'feedloom-demo-'))
  dirs.push(dir)
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', dir], { cwd: root })
  return { dir, stdout }
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
  )
})
