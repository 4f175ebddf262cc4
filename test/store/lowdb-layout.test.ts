import { copyFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { publishOutputs } from '../../src/publish/publish-outputs.js'
import { openStore } from '../../src/store/open-store.js'
import type { StoredItem } from '../../src/types.js'
import { createMemoryLog } from '../pipeline/cycle-test-helpers.js'
import { createConfig, createOutputDir, readOutputs } from '../publish/publish-fixtures.js'
import { createEntry, readStoreSnapshot, useTempStorePath } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')
const FIXTURE = join(import.meta.dirname, '../fixtures/store-v1/db.json')

const temp = useTempStorePath()
const segmentsDir = () => join(temp.path, '..', 'db.segments')

function entryAt(code: string, published: string) {
  return createEntry({ key: `infocode:${code}`, aliases: [`guid:${code}`], infoCode: code, published })
}

async function commitEntries(entries: ReturnType<typeof entryAt>[]): Promise<void> {
  const store = await openStore({ path: temp.path })
  await store.upsert(entries, NOW)
  await store.commit()
  await store.close()
}

async function inodesOf(dir: string): Promise<Record<string, bigint>> {
  const names = await readdir(dir)
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, (await stat(join(dir, name), { bigint: true })).ino])))
}

describe('lowdb store: layout', () => {
  it('keeps an index head at store.path and, per hour of publication, an index file without bodies and an items file', async () => {
    await commitEntries([entryAt('A', '2022-01-11T05:35:18.000Z'), entryAt('B', '2022-01-10T23:10:00.000Z')])

    const head = JSON.parse(await readFile(temp.path, 'utf8')) as { version: number; segments: Record<string, unknown> }
    const index = await readFile(join(segmentsDir(), 'index-2022-01-11T05.g1.json'), 'utf8')

    expect(head.version).toBe(2)
    expect(head.segments).toEqual({ '2022-01-10T23': { index: 1, items: 1, count: 1 }, '2022-01-11T05': { index: 1, items: 1, count: 1 } })
    expect((await readdir(segmentsDir())).sort()).toEqual([
      'index-2022-01-10T23.g1.json',
      'index-2022-01-11T05.g1.json',
      'items-2022-01-10T23.g1.json',
      'items-2022-01-11T05.g1.json',
    ])
    expect(index).toContain('"id":"urn:feedloom:A"')
    expect(index).not.toContain('<p>央行今日开展')
    expect(await readFile(join(segmentsDir(), 'items-2022-01-11T05.g1.json'), 'utf8')).toContain('<p>央行今日开展')
  })

  it('rewrites only the hour a commit touches, and removes generations older than the backup', async () => {
    await commitEntries([entryAt('A', '2022-01-11T05:35:18.000Z'), entryAt('B', '2022-01-10T23:10:00.000Z')])
    const before = await inodesOf(segmentsDir())

    await commitEntries([entryAt('C', '2022-01-11T05:50:00.000Z')])
    await commitEntries([entryAt('D', '2022-01-11T05:55:00.000Z')])
    const after = await inodesOf(segmentsDir())

    expect(after['items-2022-01-10T23.g1.json']).toBe(before['items-2022-01-10T23.g1.json'])
    expect(Object.keys(after).sort()).toEqual([
      'index-2022-01-10T23.g1.json',
      'index-2022-01-11T05.g2.json',
      'index-2022-01-11T05.g3.json',
      'items-2022-01-10T23.g1.json',
      'items-2022-01-11T05.g2.json',
      'items-2022-01-11T05.g3.json',
    ])
    expect(JSON.parse(await readFile(`${temp.path}.bak`, 'utf8'))).toMatchObject({ generation: 2 })
  })

  it('writes nothing, not even the head, when a cycle changes nothing', async () => {
    await commitEntries([entryAt('A', '2022-01-11T05:35:18.000Z')])
    const before = await inodesOf(join(temp.path, '..'))

    const store = await openStore({ path: temp.path })
    await store.setSourceState('em-list', { consecutiveFailures: 0, itemsSeen: 0 })
    await store.commit()
    await store.close()
    const headAfterState = (await stat(temp.path, { bigint: true })).ino
    const again = await openStore({ path: temp.path })
    await again.upsert([entryAt('A', '2022-01-11T05:35:18.000Z')], NOW)
    await again.setSourceState('em-list', { itemsSeen: 0, consecutiveFailures: 0 })
    const wrote = await again.commit()
    await again.close()

    expect(before['db.json']).not.toBe(headAfterState)
    expect({ wrote, head: (await stat(temp.path, { bigint: true })).ino }).toEqual({ wrote: false, head: headAfterState })
  })
})

describe('lowdb store: what the index answers without bodies', () => {
  const A = '2022-01-11T05:35:18.000Z'
  const itemsFile = () => join(segmentsDir(), 'items-2022-01-11T05.g1.json')
  const questionA = { key: 'infocode:A', identities: ['infocode:A', 'guid:A'] }
  const factsA = { stored: true, firstSource: 'em-list', hasContent: true, contentHash: 'hash-a' }

  it('describes entries and takes entries that change nothing without reading the items file', async () => {
    await commitEntries([createEntry({ key: 'infocode:A', aliases: ['guid:A'], infoCode: 'A', published: A, contentHash: 'hash-a' })])
    await writeFile(itemsFile(), '{"items":[')

    const store = await openStore({ path: temp.path, lock: false })
    const facts = await store.describeEntries([questionA])
    const idle = await store.upsert([entryAt('A', A), entryAt('A', A)].map((entry) => ({ ...entry, content: undefined })), NOW)
    const changing = await store.upsert([{ ...entryAt('A', A), title: '新标题', content: undefined }], NOW).then(() => undefined, (err: unknown) => err)
    await store.close()

    expect(facts).toEqual([factsA])
    expect(idle).toMatchObject({ added: [], updated: [], unchanged: 2 })
    expect(changing).toMatchObject({ code: 'E_STORE_CORRUPT' })
  })

  it('answers for index entries written without body facts from the items file, and writes the facts into the index file only', async () => {
    await commitEntries([createEntry({ key: 'infocode:A', aliases: ['guid:A'], infoCode: 'A', published: A, contentHash: 'hash-a' })])
    // An index file as a feedloom before these facts wrote it.
    const indexFile = join(segmentsDir(), 'index-2022-01-11T05.g1.json')
    const old = (await readFile(indexFile, 'utf8')).replace(/,"title":.*\}/, '}')
    expect(old).not.toContain('hasContent')
    await writeFile(indexFile, old)

    const store = await openStore({ path: temp.path })
    const facts = await store.describeEntries([questionA])
    await store.commit()
    await store.close()
    await writeFile(itemsFile(), '{"items":[')
    const again = await openStore({ path: temp.path, lock: false })
    const factsAfter = await again.describeEntries([questionA])
    await again.close()

    expect(facts).toEqual([factsA])
    expect(JSON.parse(await readFile(temp.path, 'utf8')).segments).toEqual({ '2022-01-11T05': { index: 2, items: 1, count: 1 } })
    expect(factsAfter).toEqual([factsA])
  })
})

describe('lowdb store: category pages from the index', () => {
  const PAGES = ['meirijingjixinwen/page/2.html', 'meirijingjixinwen/page/3.html']
  const publishPages = async (): Promise<Record<string, string>> => {
    const dir = await createOutputDir()
    const store = await openStore({ path: temp.path })
    await publishOutputs({ items: store, config: createConfig(dir, { output: { html: true, itemsPerFeed: 1 } }), changedCategories: 'all' })
    await store.commit()
    await store.close()
    return readOutputs(dir, PAGES)
  }

  it('renders the same pages from index entries written before they kept what a page shows, and writes it into the index file at the next commit', async () => {
    await commitEntries(
      ['P1', 'P2', 'P3'].map((code, minute) =>
        createEntry({ key: `infocode:${code}`, aliases: [`guid:${code}`], infoCode: code, published: `2022-01-11T05:0${minute}:00.000Z`, summary: `<p>摘要 ${code}</p>`, author: '张三' }),
      ),
    )
    const before = await publishPages()
    // The index file as the feedloom before the page fields wrote it: body facts, and of what a page shows only the title.
    const indexFile = join(segmentsDir(), 'index-2022-01-11T05.g1.json')
    const old = (await readFile(indexFile, 'utf8')).replace(/,"(link|author|media|text)":"[^"]*"/g, '')
    expect(old).not.toMatch(/"(link|author|media|text)"/)
    await writeFile(indexFile, old)

    const after = await publishPages()
    const upgraded = await readFile(join(segmentsDir(), 'index-2022-01-11T05.g2.json'), 'utf8')
    // With the items file unreadable, only the index can answer.
    await writeFile(join(segmentsDir(), 'items-2022-01-11T05.g1.json'), '{"items":[')
    const store = await openStore({ path: temp.path, lock: false })
    const page = await store.pageItems({ category: 'meirijingjixinwen', limit: 2, offset: 1 })
    await store.close()

    expect(after).toEqual(before)
    expect(before['meirijingjixinwen/page/3.html']).toContain('<p>摘要 P1</p>')
    expect(upgraded).toContain('"author":"张三","media":"每日经济新闻","text":"摘要 P1"')
    expect(page.map((item) => [item.id, item.author, item.summaryText])).toEqual([
      ['urn:feedloom:P2', '张三', '摘要 P2'],
      ['urn:feedloom:P1', '张三', '摘要 P1'],
    ])
  })
})

describe('lowdb store: a damaged segment', () => {
  it('refuses a missing segment file with E_STORE_CORRUPT naming it and the backup, keeps the other hours readable, and store check lists it', async () => {
    await commitEntries([entryAt('A', '2022-01-11T05:35:18.000Z'), entryAt('B', '2022-01-10T23:10:00.000Z')])
    const missing = join(segmentsDir(), 'items-2022-01-11T05.g1.json')
    await rm(missing)

    const store = await openStore({ path: temp.path, lock: false })
    const error = await store.newestItems({ limit: 10 }).then(() => undefined, (err: unknown) => err)
    const otherHour = await store.findItem(['infocode:B'])
    const problems = await store.check()
    await store.close()

    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({ code: 'E_STORE_CORRUPT' })
    expect((error as Error).message).toContain(missing)
    expect((error as Error).message).toContain(`${temp.path}.bak`)
    expect(otherHour?.id).toBe('urn:feedloom:B')
    expect(problems).toEqual([`${missing} is missing`])
  })

  it('reports a corrupt segment file, an orphan file and a count the head disagrees with', async () => {
    await commitEntries([entryAt('A', '2022-01-11T05:35:18.000Z'), entryAt('B', '2022-01-10T23:10:00.000Z')])
    await writeFile(join(segmentsDir(), 'items-2022-01-10T23.g1.json'), '{"items":[')
    await writeFile(join(segmentsDir(), 'items-2022-01-09T00.g7.json'), '{"items":[]}\n')
    const head = JSON.parse(await readFile(temp.path, 'utf8')) as { segments: Record<string, { count: number }> }
    ;(head.segments['2022-01-11T05'] as { count: number }).count = 2
    await writeFile(temp.path, JSON.stringify(head))

    const store = await openStore({ path: temp.path, lock: false })
    const problems = await store.check()
    await store.close()

    expect(problems).toEqual([
      expect.stringMatching(/index-2022-01-11T05\.g1\.json: 1 index entries, the head counts 2$/),
      expect.stringMatching(/items-2022-01-09T00\.g7\.json: named by neither .*db\.json nor .*db\.json\.bak/),
      expect.stringMatching(/items-2022-01-10T23\.g1\.json cannot be read: /),
      expect.stringMatching(/items-2022-01-11T05\.g1\.json: 1 items, the head counts 2$/),
    ])
  })
})

describe('lowdb store: converting a single-file store', () => {
  it('keeps every item, source state, tombstone, slug and the publish record, and the old file as db.json.v1', async () => {
    await copyFile(FIXTURE, temp.path)
    const original = JSON.parse(await readFile(FIXTURE, 'utf8')) as {
      items: StoredItem[]
      sources: Record<string, unknown>
      tombstones: Record<string, string>
      categorySlugs: Record<string, string>
    }
    const log = createMemoryLog()

    const store = await openStore({ path: temp.path, log })
    const record = await store.publishRecord()
    const problems = await store.check()
    await store.close()
    const converted = await readStoreSnapshot(temp.path)

    expect(log.records.map((one) => one.message)).toEqual([
      expect.stringMatching(/converted to segments .*kept as .*db\.json\.v1: remove it once feedloom runs well/),
    ])
    expect(await readFile(`${temp.path}.v1`)).toEqual(await readFile(FIXTURE))
    expect(converted.items).toEqual(original.items)
    expect(converted.sources).toEqual(original.sources)
    expect(converted.tombstones).toEqual(original.tombstones)
    expect(converted.categorySlugs).toEqual(original.categorySlugs)
    expect(record).toEqual({
      jekyllPosts: ['_posts/2022-01-11-NW1.md'],
      failedOutputs: [{ file: 'rss.xml', reason: 'cannot write out/rss.xml: EACCES', since: '2022-01-11T06:00:00.000Z' }],
    })
    expect(problems).toEqual([])
  })

  it('goes on from the converted store: known items stay known, tombstones hold, slugs keep their owners', async () => {
    await copyFile(FIXTURE, temp.path)
    await (await openStore({ path: temp.path })).close()

    const store = await openStore({ path: temp.path })
    const known = await store.upsert([createEntry({ key: 'guid:nbd-1', aliases: [], sourceId: 'nbd', title: '央行开展公开市场操作 NW1' })], NOW)
    const pruned = await store.upsert([createEntry({ key: 'link:https://finance.example.com/a/NW4.html', aliases: [] })], NOW)
    const clash = await store.upsert(
      [createEntry({ key: 'infocode:NW9', aliases: [], infoCode: 'NW9', category: 'zhujiangribao', categoryTitle: '朱江日报', media: '朱江日报' })],
      NOW,
    )
    await store.close()

    expect({ added: known.added.length, unchanged: known.unchanged, tombstoned: pruned.skippedTombstoned }).toEqual({ added: 0, unchanged: 1, tombstoned: 1 })
    expect(clash.added[0]?.category).toBe('zhujiangribao-6f919f')
  })

  it('converts in memory only when opened without the lock, leaving the single file as it is', async () => {
    await copyFile(FIXTURE, temp.path)

    const store = await openStore({ path: temp.path, lock: false })
    const states = await store.sourceStates()
    await store.close()

    expect([...states.keys()]).toEqual(['em-list', 'nbd'])
    expect(await readFile(temp.path)).toEqual(await readFile(FIXTURE))
  })
})
