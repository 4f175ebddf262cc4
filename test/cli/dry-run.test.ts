import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useConfiguredServer } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

function configWith(extra: { store?: object; categories?: object } = {}) {
  return {
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500, ...extra.store },
    output: { dir: 'out', html: false, opml: false, formats: ['rss'] },
    categories: extra.categories ?? {},
    sources: [
      { id: 'a', type: 'feed', url: `${setup.server.url}/a.xml`, category: 'meirijingjixinwen' },
      { id: 'b', type: 'feed', url: `${setup.server.url}/b.xml`, category: 'zhengquanshibao' },
    ],
  }
}

const setup = useConfiguredServer(
  () => ({ '/a.xml': rssWith('一', '二'), '/b.xml': rssWith('三') }),
  () => configWith(),
)

/** Every file under the temp dir with its size and mtime. */
async function snapshot(): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const entry of await readdir(setup.dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    files[relative(setup.dir, path)] = `${info.size}@${info.mtimeMs}`
  }
  return files
}

describe('feedloom run --dry-run', () => {
  it('writes no store, no output and leaves no lock behind', async () => {
    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.code).toBe(0)
    expect(await readdir(setup.dir)).toEqual(['feeds.config.json'])
  })

  it('prints each output file that would be written with its new items, then the store', async () => {
    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout.split('\n')).toEqual([
      'out/meirijingjixinwen/rss.xml: 2 new',
      'out/rss.xml: 3 new',
      'out/status.json: source health changed',
      'out/zhengquanshibao/rss.xml: 1 new',
      'store/db.json: would be saved',
      expect.stringMatching(/^dry run done: sources 2 ok, 0 not modified, 0 failed; items 3 new, 0 updated; 4 files would change, store would be saved; nothing written; /),
    ])
  })

  it('explains an update and a new item after a real run, touching nothing', async () => {
    await runCli('run', '--config', setup.configPath)
    setup.server.routes['/a.xml'] = rssWith('一', '二', '四').replace('<title>一</title>', '<title>一（更新）</title>')
    const before = await snapshot()

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout).toContain('out/meirijingjixinwen/rss.xml: 1 new, 1 updated')
    expect(result.stdout).toContain('out/rss.xml: 1 new, 1 updated')
    expect(result.stdout).not.toContain('zhengquanshibao')
    expect(await snapshot()).toEqual(before)
  })

  it('counts new items the filters keep out as filtered', async () => {
    await writeFile(setup.configPath, JSON.stringify(configWith({ categories: { meirijingjixinwen: { title: '每日经济新闻', filters: { exclude: { title: ['二'] } } }, zhengquanshibao: { title: '证券时报' } } })))

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout).toContain('out/meirijingjixinwen/rss.xml: 1 new, 1 filtered')
  })

  it('counts items retention would prune', async () => {
    await runCli('run', '--config', setup.configPath)
    await writeFile(setup.configPath, JSON.stringify(configWith({ store: { maxItemsPerCategory: 1 } })))

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout).toContain('out/meirijingjixinwen/rss.xml: 1 pruned')
    expect(result.stdout).toContain('out/rss.xml: 1 pruned')
  })

  it("counts a category's later HTML pages with its items, and lists the pages retention would empty", async () => {
    const paged = { ...configWith(), output: { dir: 'out', html: true, opml: false, formats: ['rss'], itemsPerFeed: 1 } }
    await writeFile(setup.configPath, JSON.stringify(paged))
    expect((await runCli('run', '--dry-run', '--config', setup.configPath)).stdout).toContain('out/meirijingjixinwen/page/2.html: 2 new\n')
    await runCli('run', '--config', setup.configPath)
    await writeFile(setup.configPath, JSON.stringify({ ...paged, store: { ...paged.store, maxItemsPerCategory: 1 } }))

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout).toMatch(/^out\/meirijingjixinwen\/page\/2\.html: .*the category has fewer pages now$/m)
    expect(await readdir(join(setup.dir, 'out/meirijingjixinwen/page'))).toEqual(['2.html'])
  })

  it('says nothing would change when nothing would', async () => {
    await runCli('run', '--config', setup.configPath)

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.stdout.split('\n')[0]).toBe('nothing would change')
  })

  it('puts what would change in the JSON summary under --log-format json', async () => {
    const result = await runCli('run', '--dry-run', '--log-format', 'json', '--config', setup.configPath)

    const summary = JSON.parse(result.stdout) as { msg: string; dryRun: { changes: unknown[]; storeChanged: boolean } }
    expect(summary.msg).toBe('dry run done')
    expect(summary.dryRun.storeChanged).toBe(true)
    expect(summary.dryRun.changes).toContainEqual({ file: 'meirijingjixinwen/rss.xml', action: 'write', why: '2 new' })
  })

  it('still exits 1 with the holder named when another process holds the store', async () => {
    await mkdir(join(setup.dir, 'store'))
    await writeFile(join(setup.dir, 'store/db.json.lock'), JSON.stringify({ pid: process.pid, createdAt: '2022-01-12T00:00:00.000Z', holder: 'feedloom start' }))

    const result = await runCli('run', '--dry-run', '--config', setup.configPath)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`store is in use by feedloom start (pid ${process.pid}, since 2022-01-12T00:00:00.000Z`)
    expect(await readFile(join(setup.dir, 'store/db.json.lock'), 'utf8')).toContain('feedloom start')
  })
})
