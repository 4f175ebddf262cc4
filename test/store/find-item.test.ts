import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/store/open-store.js'
import { createEntry, createTempDir, DAY_MS, removeTempDir } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
let store: Store
beforeEach(async () => {
  dir = await createTempDir()
  store = await openStore({ path: join(dir, 'db.json') })
})
afterEach(async () => {
  await store.close()
  await removeTempDir(dir)
})

describe('store.findItem', () => {
  it('finds an item by its key', () => {
    store.upsert([createEntry()], NOW)
    expect(store.findItem(['infocode:NW202201112243496752'])?.id).toBe('urn:feedloom:NW202201112243496752')
  })

  it('finds an item by any alias', () => {
    store.upsert([createEntry()], NOW)
    expect(store.findItem(['link:https://other.example.com/', 'link:https://finance.example.com/a/202201112243496752.html'])?.infoCode).toBe(
      'NW202201112243496752',
    )
  })

  it('finds nothing for unknown keys', () => {
    store.upsert([createEntry()], NOW)
    expect(store.findItem(['infocode:NW000', 'link:https://other.example.com/'])).toBeUndefined()
  })

  it('finds an item saved by an earlier run', async () => {
    store.upsert([createEntry()], NOW)
    await store.save()
    await store.close()
    store = await openStore({ path: join(dir, 'db.json') })
    expect(store.findItem(['infocode:NW202201112243496752'])?.content).toBe('<p>央行今日开展1000亿元7天期逆回购操作。</p>')
  })
})

describe('store.isTombstoned', () => {
  it('tells a pruned key apart from an unknown one', () => {
    const old = createEntry({ published: new Date(NOW.getTime() - 40 * DAY_MS).toISOString() })
    store.upsert([old], NOW)
    store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })
    expect(store.findItem(['infocode:NW202201112243496752'])).toBeUndefined()
    expect(store.isTombstoned(['infocode:NW202201112243496752'])).toBe(true)
    expect(store.isTombstoned(['infocode:NW000'])).toBe(false)
  })

  it('is false for a live item', () => {
    store.upsert([createEntry()], NOW)
    expect(store.isTombstoned(['infocode:NW202201112243496752'])).toBe(false)
  })
})
