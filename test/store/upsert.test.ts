import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, readStoreFile, useOpenStore } from './store-test-helpers.js'

const T0 = new Date('2022-01-11T06:00:00.000Z')
const T1 = new Date('2022-01-11T06:05:00.000Z')
const T2 = new Date('2022-01-11T06:10:00.000Z')

const temp = useOpenStore()

async function savedItems() {
  await temp.store.save()
  return (await readStoreFile(temp.path)).items
}

describe('store.upsert: new items', () => {
  it('adds an unknown entry with an id minted from its infoCode', async () => {
    const result = temp.store.upsert([createEntry()], T0)

    expect(result.added.map((item) => item.id)).toEqual(['urn:feedloom:NW202201112243496752'])
    expect(result.changedCategories).toEqual(new Set(['meirijingjixinwen']))
    expect(await savedItems()).toMatchObject([
      {
        id: 'urn:feedloom:NW202201112243496752',
        key: 'infocode:NW202201112243496752',
        aliases: ['infocode:NW202201112243496752', 'link:https://finance.example.com/a/202201112243496752.html'],
        sources: ['em-list'],
        firstSeen: T0.toISOString(),
        published: '2022-01-11T05:35:18.000Z',
      },
    ])
  })

  it('mints a urn from the first 20 hex digits of sha256 for keys without an infoCode', async () => {
    temp.store.upsert([createEntry({ key: 'link:https://example.com/a', aliases: [], infoCode: undefined })], T0)

    const [item] = await savedItems()

    expect(item?.id).toMatch(/^urn:feedloom:[0-9a-f]{20}$/)
  })

  it('uses first-seen as published when the entry has no date, and keeps it on later cycles', async () => {
    temp.store.upsert([createEntry({ published: undefined })], T0)
    temp.store.upsert([createEntry({ published: undefined, content: '<p>改写</p>' })], T1)

    const [item] = await savedItems()

    expect(item).toMatchObject({ published: T0.toISOString(), firstSeen: T0.toISOString(), updated: T1.toISOString() })
  })

  it('treats two entries with the same key in one call as one item', async () => {
    const result = temp.store.upsert([createEntry(), createEntry({ sourceId: 'nbd' })], T0)

    expect(result.added).toHaveLength(1)
    expect(result.added[0]?.sources).toEqual(['em-list', 'nbd'])
    expect(result.merged).toBe(1)
  })

  it('lists items newest published first, then by id', () => {
    temp.store.upsert(
      [
        createEntry({ key: 'infocode:B', aliases: [], published: '2022-01-10T00:00:00.000Z' }),
        createEntry({ key: 'infocode:C', aliases: [], published: '2022-01-11T00:00:00.000Z' }),
        createEntry({ key: 'infocode:A', aliases: [], published: '2022-01-10T00:00:00.000Z' }),
      ],
      T0,
    )

    expect(temp.store.items().map((item) => item.id)).toEqual(['urn:feedloom:C', 'urn:feedloom:A', 'urn:feedloom:B'])
  })
})

describe('store.upsert: known items', () => {
  it('merges the same key from a second source: one item, both sources, the first firstSeen', async () => {
    temp.store.upsert([createEntry({ sourceId: 'em-list' })], T0)

    const result = temp.store.upsert([createEntry({ sourceId: 'nbd' })], T1)

    expect(result).toMatchObject({ added: [], updated: [], merged: 1, unchanged: 0 })
    expect(result.changedCategories.size).toBe(0)
    expect(await savedItems()).toMatchObject([{ sources: ['em-list', 'nbd'], firstSeen: T0.toISOString() }])
  })

  it('finds an item by alias when the key differs', async () => {
    temp.store.upsert([createEntry({ aliases: ['guid:nbd-1'] })], T0)

    const fromNbd = createEntry({ key: 'link:https://nbd.example.com/1', aliases: ['guid:nbd-1'], sourceId: 'nbd' })
    const result = temp.store.upsert([fromNbd], T1)

    expect(result.added).toEqual([])
    expect(result.merged).toBe(1)
    expect(await savedItems()).toHaveLength(1)
  })

  it('records new aliases of a known key, so a later entry with only the new guid maps to the same id', async () => {
    temp.store.upsert([createEntry({ aliases: ['guid:old', 'link:https://a.example.com/old'] })], T0)
    temp.store.upsert([createEntry({ aliases: ['guid:new', 'link:https://a.example.com/new'] })], T1)

    const result = temp.store.upsert([createEntry({ key: 'guid:new', aliases: ['link:https://a.example.com/new'] })], T2)

    expect(result).toMatchObject({ added: [], unchanged: 1 })
    expect(temp.store.items().map((item) => item.id)).toEqual(['urn:feedloom:NW202201112243496752'])
    await temp.store.save()
    const identities = ['guid:new', 'guid:old', 'infocode:NW202201112243496752', 'link:https://a.example.com/new', 'link:https://a.example.com/old']
    const reopened = await openStore({ path: temp.path, lock: false })
    expect(identities.map((identity) => reopened.findItem([identity])?.id)).toEqual(identities.map(() => 'urn:feedloom:NW202201112243496752'))
    await reopened.close()
  })

  it('updates title and content from the first source, keeping the id and not re-announcing it', async () => {
    temp.store.upsert([createEntry()], T0)

    const corrected = createEntry({ title: '更正：央行开展逆回购', content: '<p>更正后的正文</p>' })
    const result = temp.store.upsert([corrected], T1)

    expect(result.added).toEqual([])
    expect(result.updated.map((item) => item.id)).toEqual(['urn:feedloom:NW202201112243496752'])
    expect(result.changedCategories).toEqual(new Set(['meirijingjixinwen']))
    expect(await savedItems()).toMatchObject([
      {
        id: 'urn:feedloom:NW202201112243496752',
        title: '更正：央行开展逆回购',
        content: '<p>更正后的正文</p>',
        firstSeen: T0.toISOString(),
        updated: T1.toISOString(),
      },
    ])
  })

  it('ignores a changed title or content from a second source', async () => {
    temp.store.upsert([createEntry({ sourceId: 'em-list' })], T0)
    temp.store.upsert([createEntry({ sourceId: 'nbd' })], T1)

    const reworded = createEntry({ sourceId: 'nbd', title: '另一个标题', content: '<p>另一种说法</p>' })
    const result = temp.store.upsert([reworded], T2)

    expect(result).toMatchObject({ updated: [], unchanged: 1 })
    const [item] = await savedItems()
    expect(item).toMatchObject({ title: createEntry().title, content: createEntry().content })
    expect(item).not.toHaveProperty('updated')
  })

  it('accepts content from a second source when the item has none', async () => {
    temp.store.upsert([createEntry({ sourceId: 'em-list', content: undefined })], T0)

    const result = temp.store.upsert([createEntry({ sourceId: 'nbd', content: '<p>全文</p>' })], T1)

    expect(result.updated).toHaveLength(1)
    expect(result.merged).toBe(1)
    expect(await savedItems()).toMatchObject([{ content: '<p>全文</p>', updated: T1.toISOString() }])
  })

  it('counts an entry that changes nothing as unchanged and reports no category', () => {
    temp.store.upsert([createEntry()], T0)

    const result = temp.store.upsert([createEntry()], T1)

    expect(result).toMatchObject({ added: [], updated: [], merged: 0, unchanged: 1, skippedTombstoned: 0 })
    expect(result.changedCategories.size).toBe(0)
  })
})
