import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { createEntry, readStoreSnapshot } from '../store/store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
let configPath: string

beforeEach(async () => {
  ;({ dir, configPath } = await writeConfig({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out' },
    sources: [],
  }))
  const store = await openStore({ path: join(dir, 'store/db.json') })
  await store.upsert(
    [
      createEntry({ key: 'infocode:A', aliases: ['guid:A'], infoCode: 'A', published: '2022-01-11T05:00:00.000Z' }),
      createEntry({ key: 'infocode:B', aliases: ['guid:B'], infoCode: 'B', published: '2022-01-10T05:00:00.000Z', category: 'caijing' }),
      createEntry({ key: 'infocode:OLD', aliases: [], infoCode: 'OLD', published: '2021-01-10T05:00:00.000Z' }),
    ],
    NOW,
  )
  await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })
  await store.setSourceState('em-list', { consecutiveFailures: 0, itemsSeen: 3, etag: '"e"' })
  await store.commit()
  await store.close()
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('feedloom store check', () => {
  it('says ok with the item count and exits 0 for a sound store', async () => {
    const run = await runCli('store', 'check', '--config', configPath)

    expect([run.code, run.stdout]).toEqual([0, `store ${join(dir, 'store/db.json')}: ok, 2 items in 2 categories`])
  })

  it('prints each problem and exits 1 when a segment file is missing', async () => {
    const missing = join(dir, 'store/db.segments/items-2022-01-10T05.g1.json')
    await rm(missing)

    const run = await runCli('store', 'check', '--config', configPath)

    expect([run.code, run.stdout]).toEqual([1, `${missing} is missing\nstore ${join(dir, 'store/db.json')}: 1 problems`])
  })
})

describe('feedloom store copy', () => {
  it('copies every item, tombstone and source state into a new store path', async () => {
    const copy = join(dir, 'elsewhere/db.json')

    const run = await runCli('store', 'copy', '--to', copy, '--config', configPath)

    expect([run.code, run.stdout]).toEqual([0, `copied 2 items, 1 tombstones and 1 source states to ${copy}`])
    expect(await readStoreSnapshot(copy)).toEqual(await readStoreSnapshot(join(dir, 'store/db.json')))
  })

  it('refuses a target that already holds a store, changing nothing', async () => {
    const copy = join(dir, 'elsewhere/db.json')
    await runCli('store', 'copy', '--to', copy, '--config', configPath)

    const again = await runCli('store', 'copy', '--to', copy, '--config', configPath)

    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining(`store ${copy} is not empty`)])
  })

  it('refuses a url whose scheme has no backend', async () => {
    const run = await runCli('store', 'copy', '--to', 'mysql://localhost/feeds', '--config', configPath)

    expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('no store backend for "mysql:" urls')])
  })
})
