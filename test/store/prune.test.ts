import { describe, expect, it } from 'vitest'
import type { NormalizedEntry } from '../../src/types.js'
import { createEntry, DAY_MS, readStoreFile, useOpenStore } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

const temp = useOpenStore()

function entryPublishedDaysAgo(code: string, days: number, category = 'meirijingjixinwen'): NormalizedEntry {
  return createEntry({
    key: `infocode:${code}`,
    aliases: [`guid:${code}`],
    infoCode: code,
    category,
    published: new Date(NOW.getTime() - days * DAY_MS).toISOString(),
  })
}

describe('store.prune', () => {
  it('keeps the newest maxItemsPerCategory per category and tombstones the rest', async () => {
    temp.store.upsert(
      [
        entryPublishedDaysAgo('NEW', 1),
        entryPublishedDaysAgo('MID', 2),
        entryPublishedDaysAgo('OLD', 3),
        entryPublishedDaysAgo('OTHER', 3, 'caijing'),
      ],
      NOW,
    )

    const result = temp.store.prune({ maxItemsPerCategory: 2, maxAgeDays: 30, now: NOW })
    await temp.store.save()

    expect(result).toMatchObject({ pruned: 1, changedCategories: new Set(['meirijingjixinwen']) })
    expect(result.prunedItems.map((item) => item.id)).toEqual(['urn:feedloom:OLD'])
    const data = await readStoreFile(temp.path)
    expect(data.items.map((item) => item.id)).toEqual(['urn:feedloom:NEW', 'urn:feedloom:MID', 'urn:feedloom:OTHER'])
    expect(data.tombstones).toEqual({ 'guid:OLD': NOW.toISOString(), 'infocode:OLD': NOW.toISOString() })
    expect(temp.store.findItem(['infocode:OLD'])).toBeUndefined()
    expect(temp.store.findItem(['guid:OLD'])).toBeUndefined()
  })

  it('skips a pruned entry that a source still lists', () => {
    temp.store.upsert([entryPublishedDaysAgo('NEW', 1), entryPublishedDaysAgo('OLD', 2)], NOW)
    temp.store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: NOW })

    const result = temp.store.upsert([entryPublishedDaysAgo('OLD', 2)], NOW)

    expect(result).toMatchObject({ added: [], skippedTombstoned: 1 })
    expect(temp.store.items().map((item) => item.id)).toEqual(['urn:feedloom:NEW'])
  })

  it('skips an entry known only by the alias of a pruned item', () => {
    temp.store.upsert([entryPublishedDaysAgo('NEW', 1), entryPublishedDaysAgo('OLD', 2)], NOW)
    temp.store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: NOW })

    const result = temp.store.upsert([createEntry({ key: 'link:https://x.example.com/old', aliases: ['guid:OLD'] })], NOW)

    expect(result.skippedTombstoned).toBe(1)
  })

  it('removes items published more than maxAgeDays ago', async () => {
    temp.store.upsert([entryPublishedDaysAgo('FRESH', 29), entryPublishedDaysAgo('STALE', 31)], NOW)

    const result = temp.store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })
    await temp.store.save()

    expect(result.pruned).toBe(1)
    const data = await readStoreFile(temp.path)
    expect(data.items.map((item) => item.id)).toEqual(['urn:feedloom:FRESH'])
    expect(data.tombstones).toHaveProperty(['infocode:STALE'], NOW.toISOString())
  })

  it('drops tombstones older than 180 days', async () => {
    temp.store.upsert([entryPublishedDaysAgo('OLD', 40)], NOW)
    temp.store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })

    const later = new Date(NOW.getTime() + 181 * DAY_MS)
    temp.store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: later })
    await temp.store.save()

    expect((await readStoreFile(temp.path)).tombstones).toEqual({})
  })

  it('keeps at most 50,000 tombstones, dropping the oldest first, so a source rotating its codes cannot grow the store without end', async () => {
    const rotated = (cycle: number, count: number) => Array.from({ length: count }, (_, index) => entryPublishedDaysAgo(`C${cycle}N${index}`, 1))
    temp.store.upsert(rotated(1, 25_001), NOW)
    temp.store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: NOW })
    const later = new Date(NOW.getTime() + 300_000)
    temp.store.upsert(rotated(2, 10), later)

    temp.store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: later })
    await temp.store.save()

    const stamps = Object.values((await readStoreFile(temp.path)).tombstones)
    expect([stamps.length, stamps.filter((stamp) => stamp === later.toISOString()).length]).toEqual([50_000, 20])
  })

  it('prunes nothing and changes no category when every item is within limits', () => {
    temp.store.upsert([entryPublishedDaysAgo('A', 1), entryPublishedDaysAgo('B', 2)], NOW)

    const result = temp.store.prune({ maxItemsPerCategory: 2, maxAgeDays: 30, now: NOW })

    expect(result).toEqual({ pruned: 0, prunedItems: [], changedCategories: new Set() })
  })
})
