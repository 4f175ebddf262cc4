import { readFile, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, DAY_MS, readStoreFile, useTempStorePath } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

const temp = useTempStorePath()

function entryPublishedDaysAgo(code: string, days: number) {
  return createEntry({ key: `infocode:${code}`, aliases: [], infoCode: code, published: new Date(NOW.getTime() - days * DAY_MS).toISOString() })
}

/** Two items (1 and 10 days old), one source state, saved by feedloom. */
async function writeStore(): Promise<void> {
  const store = await openStore({ path: temp.path })
  store.upsert([entryPublishedDaysAgo('NEW', 1), entryPublishedDaysAgo('OLD', 10)], NOW)
  store.setSourceState('em-list', { consecutiveFailures: 0, itemsSeen: 2, etag: '"v1"' })
  await store.save()
  await store.close()
}

/** Replaces everything after the head with bytes that are not JSON: only a read of the items can notice. */
async function breakItems(): Promise<void> {
  const text = await readFile(temp.path, 'utf8')
  const itemsAt = text.indexOf('\n  "items": [')
  await writeFile(temp.path, `${text.slice(0, itemsAt)}\n  "items": [ this is not JSON`)
}

describe('openStore with items: lazy', () => {
  it('reads only the head: source states without the items', async () => {
    await writeStore()
    await breakItems()

    const store = await openStore({ path: temp.path, items: 'lazy' })
    const state = store.sourceState('em-list')
    const loaded = store.itemsLoaded()
    const error = await store.loadItems().then(() => undefined, (err: unknown) => err)
    await store.close()

    expect({ state, loaded }).toEqual({ state: { consecutiveFailures: 0, itemsSeen: 2, etag: '"v1"' }, loaded: false })
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({ code: 'E_STORE_CORRUPT' })
  })

  it('refuses item questions until loadItems(), then answers them', async () => {
    await writeStore()
    const store = await openStore({ path: temp.path, items: 'lazy' })

    expect(() => store.items()).toThrow(/loadItems/)
    await store.loadItems()
    expect(store.items().map((item) => item.id)).toEqual(['urn:feedloom:NEW', 'urn:feedloom:OLD'])
    await store.close()
  })

  it('keeps every item when only a source state changed and is saved', async () => {
    await writeStore()
    const store = await openStore({ path: temp.path, items: 'lazy' })

    store.setSourceState('em-list', { consecutiveFailures: 1, itemsSeen: 2, etag: '"v1"' })
    expect(await store.save()).toBe(true)
    await store.close()

    const data = await readStoreFile(temp.path)
    expect(data.items.map((item) => item.id)).toEqual(['urn:feedloom:NEW', 'urn:feedloom:OLD'])
    expect(data.sources['em-list']).toEqual({ consecutiveFailures: 1, itemsSeen: 2, etag: '"v1"' })
  })

  it('writes nothing when nothing changed, without reading the items', async () => {
    await writeStore()
    await breakItems()
    const before = await readFile(temp.path, 'utf8')
    const store = await openStore({ path: temp.path, items: 'lazy' })

    store.setSourceState('em-list', { etag: '"v1"', itemsSeen: 2, consecutiveFailures: 0 })
    const upserted = store.upsert([], NOW)
    const pruned = store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })
    const wrote = await store.save()
    await store.close()

    expect({ added: upserted.added.length, pruned: pruned.pruned, wrote }).toEqual({ added: 0, pruned: 0, wrote: false })
    expect(await readFile(temp.path, 'utf8')).toBe(before)
  })

  it.each([
    ['every item within limits', { maxItemsPerCategory: 500, maxAgeDays: 30 }, false],
    ['an item older than maxAgeDays', { maxItemsPerCategory: 500, maxAgeDays: 5 }, true],
    ['a category over maxItemsPerCategory', { maxItemsPerCategory: 1, maxAgeDays: 30 }, true],
  ])('tells from the head whether pruning is due: %s', async (_, limits, due) => {
    await writeStore()
    const lazy = await openStore({ path: temp.path, items: 'lazy', lock: false })
    const eager = await openStore({ path: temp.path, lock: false })

    expect(lazy.isPruneDue({ ...limits, now: NOW })).toBe(due)
    expect(eager.prune({ ...limits, now: NOW }).pruned > 0).toBe(due)
    await lazy.close()
    await eager.close()
  })

  it('tells from the head when a tombstone has expired', async () => {
    await writeStore()
    const store = await openStore({ path: temp.path })
    store.prune({ maxItemsPerCategory: 500, maxAgeDays: 5, now: NOW })
    await store.save()
    await store.close()

    const lazy = await openStore({ path: temp.path, items: 'lazy', lock: false })
    // Long enough that the item left (1 day old) never ages out here.
    const limits = { maxItemsPerCategory: 500, maxAgeDays: 36_500 }
    expect(lazy.isPruneDue({ ...limits, now: new Date(NOW.getTime() + 179 * DAY_MS) })).toBe(false)
    expect(lazy.isPruneDue({ ...limits, now: new Date(NOW.getTime() + 181 * DAY_MS) })).toBe(true)
    await lazy.close()
  })

  it('reads a file written before the head existed whole, and rewrites it with the head first and no alias map', async () => {
    await writeStore()
    const { version, sources, items, tombstones, categorySlugs } = await readStoreFile(temp.path)
    const aliases = Object.fromEntries(items.flatMap((item) => item.aliases.map((alias) => [alias, item.id])))
    await writeFile(temp.path, `${JSON.stringify({ version, items, aliases, tombstones, sources, categorySlugs }, null, 2)}\n`)

    const store = await openStore({ path: temp.path, items: 'lazy' })
    const loaded = store.itemsLoaded()
    const wrote = await store.save()
    await store.close()

    expect({ loaded, wrote }).toEqual({ loaded: true, wrote: true })
    expect(Object.keys(await readStoreFile(temp.path))).toEqual([
      'version',
      'sources',
      'retention',
      'items',
      'tombstones',
      'categorySlugs',
    ])
  })

  it('rewrites a store whose retention summary does not match its items', async () => {
    await writeStore()
    const text = await readFile(temp.path, 'utf8')
    await writeFile(temp.path, text.replace('"largestCategory": 2', '"largestCategory": 1'))

    const store = await openStore({ path: temp.path })
    const wrote = await store.save()
    await store.close()

    expect(wrote).toBe(true)
    expect((await readStoreFile(temp.path)).retention).toMatchObject({ largestCategory: 2 })
  })
})
