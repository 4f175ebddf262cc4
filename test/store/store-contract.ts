import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store, StoreRecord } from '../../src/store/store.js'
import type { ItemFilter, NormalizedEntry, PageItem, StoredItem } from '../../src/types.js'
import { createEntry } from './store-test-helpers.js'

/** One store of the backend under test, opened as often as a test needs, like separate processes would. */
export interface StoreFixture {
  /** A fresh handle on the same store: it sees what is committed, never what another handle staged. */
  open(options?: { filter?: ItemFilter; sourceOrder?: readonly string[] }): Promise<Store>
  /** Removes the store and everything it left behind. */
  destroy(): Promise<void>
  /**
   * Optional: runs `store.commit()` but stops it the way a kill would at the worst moment the
   * backend has (after its new data is written, before it is switched in). Backends that commit
   * in one indivisible step (a database transaction) leave it out.
   */
  interruptCommit?(store: Store): Promise<void>
}

const T0 = new Date('2022-01-11T06:00:00.000Z')
const T1 = new Date('2022-01-11T06:05:00.000Z')
const T2 = new Date('2022-01-11T06:10:00.000Z')
const DAY_MS = 86_400_000

/** An entry with its own infoCode `code`, published `daysAgo` days before T0. */
function entryOf(code: string, daysAgo: number, overrides: Partial<NormalizedEntry> = {}): NormalizedEntry {
  return createEntry({
    key: `infocode:${code}`,
    aliases: [`guid:${code}`],
    infoCode: code,
    link: `https://finance.example.com/a/${code}.html`,
    published: new Date(T0.getTime() - daysAgo * DAY_MS).toISOString(),
    ...overrides,
  })
}

const ids = (items: readonly { id: string }[]): string[] => items.map((item) => item.id)

const FAILED_RSS = { file: 'rss.xml', reason: 'cannot write out/rss.xml: EACCES', since: '2022-01-11T06:00:00.000Z' }

const OWN_CATEGORY = (item: { category: string }): string[] => [item.category]
/** Publishes items whose title does not contain 广告. */
const NO_ADS: ItemFilter = { fingerprint: 'no-ads', accepts: (item) => !item.title.includes('广告'), categoriesOf: OWN_CATEGORY }
/** Publishes items whose title does not contain 央行. */
const NO_CENTRAL_BANK: ItemFilter = { fingerprint: 'no-central-bank', accepts: (item) => !item.title.includes('央行'), categoriesOf: OWN_CATEGORY }

/** Publishes every item, also in `category` when the source stcn carried it, as a config giving stcn that category does. */
function stcnIn(category: string): ItemFilter {
  return {
    fingerprint: `stcn-in-${category}`,
    accepts: () => true,
    categoriesOf: (item) => [...new Set([item.category, ...(item.sources.includes('stcn') ? [category] : [])])],
  }
}

async function collect(records: AsyncIterable<StoreRecord[]>): Promise<StoreRecord[]> {
  const all: StoreRecord[] = []
  for await (const batch of records) all.push(...batch)
  return all
}

/**
 * The behaviour every store backend must have (docs/architecture.md, "Identity and merging" and
 * "The store"): run it from one test file per backend with a factory of fresh, empty stores.
 */
export function testStore(name: string, create: () => Promise<StoreFixture>): void {
  describe(`store contract: ${name}`, () => {
    let fixture: StoreFixture
    let store: Store
    const opened: Store[] = []
    /** A handle closed after the test. */
    const open = async (options?: { filter?: ItemFilter; sourceOrder?: readonly string[] }): Promise<Store> => {
      const handle = await fixture.open(options)
      opened.push(handle)
      return handle
    }
    /** Commits `store` and opens the store afresh, as the next process would. */
    const reopen = async (options?: { filter?: ItemFilter }): Promise<Store> => {
      await store.commit()
      return open(options)
    }

    beforeEach(async () => {
      fixture = await create()
      store = await open()
    })
    afterEach(async () => {
      for (const handle of opened.splice(0)) await handle.close()
      await fixture.destroy()
    })

    describe('identity', () => {
      it('adds an unknown entry with an id minted from its infoCode, and finds it by key and by alias', async () => {
        const result = await store.upsert([createEntry()], T0)
        const reopened = await reopen()

        expect(ids(result.added)).toEqual(['urn:feedloom:NW202201112243496752'])
        expect(result.changedCategories).toEqual(new Set(['meirijingjixinwen']))
        const byKey = await reopened.findItem(['infocode:NW202201112243496752'])
        const byAlias = await reopened.findItem(['guid:unknown', 'link:https://finance.example.com/a/202201112243496752.html'])
        expect(byKey).toMatchObject({
          id: 'urn:feedloom:NW202201112243496752',
          key: 'infocode:NW202201112243496752',
          aliases: ['infocode:NW202201112243496752', 'link:https://finance.example.com/a/202201112243496752.html'],
          sources: ['em-list'],
          firstSeen: T0.toISOString(),
          published: '2022-01-11T05:35:18.000Z',
          content: '<p>央行今日开展1000亿元7天期逆回购操作。</p>',
        })
        expect(byAlias).toEqual(byKey)
        expect(await reopened.findItem(['infocode:OTHER'])).toBeUndefined()
      })

      it('mints a urn from sha256 for a key without an infoCode', async () => {
        const result = await store.upsert([createEntry({ key: 'link:https://example.com/a', aliases: [], infoCode: undefined })], T0)

        expect(result.added[0]?.id).toMatch(/^urn:feedloom:[0-9a-f]{20}$/)
      })

      it('dedupes the same key within one batch and across batches', async () => {
        const first = await store.upsert([createEntry(), createEntry()], T0)
        const second = await store.upsert([createEntry()], T1)
        const reopened = await reopen()

        expect(first).toMatchObject({ merged: 0, unchanged: 1 })
        expect(first.added).toHaveLength(1)
        expect(second).toMatchObject({ added: [], updated: [], merged: 0, unchanged: 1, skippedTombstoned: 0 })
        expect(second.changedCategories.size).toBe(0)
        expect(ids(await reopened.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NW202201112243496752'])
      })

      it('maps an entry whose key differs but whose alias is known to the same item, and remembers its new identities', async () => {
        await store.upsert([createEntry({ aliases: ['guid:nbd-1'] })], T0)
        const fromNbd = createEntry({ key: 'link:https://nbd.example.com/1', aliases: ['guid:nbd-1'], sourceId: 'nbd' })

        const result = await store.upsert([fromNbd], T1)
        const reopened = await reopen()

        expect(result).toMatchObject({ added: [], merged: 1 })
        expect((await reopened.findItem(['link:https://nbd.example.com/1']))?.id).toBe('urn:feedloom:NW202201112243496752')
        expect(ids(await reopened.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NW202201112243496752'])
      })

      it('keeps the first-seen time of an item without a date as its published time on later cycles', async () => {
        await store.upsert([createEntry({ published: undefined })], T0)
        await store.upsert([createEntry({ published: undefined, content: '<p>改写</p>' })], T1)
        const reopened = await reopen()

        expect(await reopened.findItem(['infocode:NW202201112243496752'])).toMatchObject({
          published: T0.toISOString(),
          firstSeen: T0.toISOString(),
          updated: T1.toISOString(),
        })
      })
    })

    describe('merging', () => {
      it('merges the same key from a second source: one item, both sources, the first firstSeen, no changed category', async () => {
        await store.upsert([createEntry({ sourceId: 'em-list' })], T0)

        const result = await store.upsert([createEntry({ sourceId: 'nbd' })], T1)
        const reopened = await reopen()

        expect(result).toMatchObject({ added: [], updated: [], merged: 1, unchanged: 0 })
        expect(ids(result.mergedItems)).toEqual(['urn:feedloom:NW202201112243496752'])
        expect(result.changedCategories.size).toBe(0)
        expect(await reopened.findItem(['infocode:NW202201112243496752'])).toMatchObject({
          sources: ['em-list', 'nbd'],
          firstSeen: T0.toISOString(),
        })
      })

      it('updates title and content from the first source in place: same id, updated set, not re-announced', async () => {
        await store.upsert([createEntry()], T0)

        const result = await store.upsert([createEntry({ title: '更正：央行开展逆回购', content: '<p>更正后的正文</p>' })], T1)
        const reopened = await reopen()

        expect(result.added).toEqual([])
        expect(ids(result.updated)).toEqual(['urn:feedloom:NW202201112243496752'])
        expect(result.changedCategories).toEqual(new Set(['meirijingjixinwen']))
        expect(await reopened.newestItems({ limit: 10 })).toMatchObject([
          { id: 'urn:feedloom:NW202201112243496752', title: '更正：央行开展逆回购', content: '<p>更正后的正文</p>', firstSeen: T0.toISOString(), updated: T1.toISOString() },
        ])
      })

      it('ignores a changed title from a second source, but takes content when the item has none', async () => {
        await store.upsert([createEntry({ sourceId: 'em-list', content: undefined })], T0)
        await store.upsert([createEntry({ sourceId: 'nbd' })], T1)

        const result = await store.upsert([createEntry({ sourceId: 'nbd', title: '另一个标题', content: '<p>另一种说法</p>' })], T2)
        const item = await (await reopen()).findItem(['infocode:NW202201112243496752'])

        expect(result).toMatchObject({ updated: [], unchanged: 1 })
        expect(item).toMatchObject({ title: createEntry().title, content: createEntry().content, updated: T1.toISOString() })
      })

      it('with the config order of sources, describes an item by the first listed source that carries it, whichever came first', async () => {
        const ordered = await open({ sourceOrder: ['nbd', 'em-list'] })
        await ordered.upsert([createEntry({ sourceId: 'em-list', title: '列表标题', category: 'dongfangcaifu', categoryTitle: '东方财富', link: 'https://em.example.com/a.html' })], T0)

        const result = await ordered.upsert([createEntry({ sourceId: 'nbd' })], T1)
        await ordered.commit()
        const item = await (await open()).findItem(['infocode:NW202201112243496752'])

        expect(result.changedCategories).toEqual(new Set(['dongfangcaifu', 'meirijingjixinwen']))
        expect(item).toMatchObject({
          sources: ['nbd', 'em-list'],
          title: createEntry().title,
          category: createEntry().category,
          link: createEntry().link,
          firstSeen: T0.toISOString(),
          updated: T1.toISOString(),
        })
      })

      it('keeps the hash of the content an item was sanitized from, replaced with its content and kept through a title change', async () => {
        await store.upsert([createEntry({ contentHash: 'hash-1' })], T0)
        const first = await (await reopen()).findItem(['infocode:NW202201112243496752'])
        store = await open()
        await store.upsert([createEntry({ contentHash: 'hash-2', content: '<p>更正后的正文</p>' })], T1)
        const changed = await (await reopen()).findItem(['infocode:NW202201112243496752'])
        store = await open()
        await store.upsert([createEntry({ title: '更正', content: undefined })], T2)
        const retitled = await (await reopen()).findItem(['infocode:NW202201112243496752'])

        expect([first?.contentHash, changed?.contentHash, retitled?.contentHash]).toEqual(['hash-1', 'hash-2', 'hash-2'])
      })

      it('handles a batch in order when a later entry puts back what an earlier one changed', async () => {
        await store.upsert([entryOf('A', 1)], T0)
        const reopened = await reopen()

        // Without content, as entries whose bodies were left unsanitized come.
        const result = await reopened.upsert([entryOf('A', 1, { title: '新标题', content: undefined }), entryOf('A', 1, { content: undefined })], T1)

        expect(ids(result.updated)).toEqual(['urn:feedloom:A'])
        expect((await reopened.findItem(['infocode:A']))?.title).toBe(entryOf('A', 1).title)
      })

      it('counts entries that change nothing as unchanged, beside one that adds a source', async () => {
        await store.upsert([entryOf('A', 1), entryOf('B', 1, { sourceId: 'stcn' })], T0)
        const reopened = await reopen()

        const result = await reopened.upsert([entryOf('A', 1, { content: undefined }), entryOf('B', 1, { sourceId: 'stcn' }), entryOf('A', 1, { sourceId: 'stcn' })], T1)

        expect(result).toMatchObject({ added: [], updated: [], unchanged: 2, merged: 1 })
        expect((await reopened.findItem(['infocode:A']))?.sources).toEqual(['em-list', 'stcn'])
      })

      it('does not call an item added and changed in the same batch updated', async () => {
        const result = await store.upsert([createEntry(), createEntry({ title: '更正' })], T0)

        expect(result.added).toHaveLength(1)
        expect(result.updated).toEqual([])
        expect(result.added[0]?.title).toBe('更正')
      })
    })

    describe('describing entries', () => {
      const question = (key: string, ...aliases: string[]) => ({ key, identities: [key, ...aliases] })

      it('tells, in order, what is stored under each key, else whether a live item or a tombstone knows an identity', async () => {
        await store.upsert(
          [
            entryOf('A', 1, { contentHash: 'hash-a' }),
            entryOf('B', 1, { sourceId: 'stcn', content: undefined }),
            entryOf('W', 1, { content: ' \n\u3000', contentHash: 'hash-w' }),
            entryOf('OLD', 40),
          ],
          T0,
        )
        await store.upsert([entryOf('A', 1, { sourceId: 'stcn', contentHash: 'hash-a2' })], T1)
        await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: T0 })
        const questions = [
          question('infocode:A', 'guid:A'),
          question('guid:B'),
          question('infocode:W'),
          question('link:https://other.example.com/a', 'guid:A'),
          question('infocode:NEXT', 'guid:OLD'),
          question('infocode:NEW', 'guid:NEW'),
        ]
        const expected = [
          { stored: true, firstSource: 'em-list', hasContent: true, contentHash: 'hash-a' },
          { stored: true, firstSource: 'stcn', hasContent: false },
          { stored: true, firstSource: 'em-list', hasContent: false, contentHash: 'hash-w' },
          { stored: false, known: true },
          { stored: false, known: true },
          { stored: false, known: false },
        ]

        expect(await store.describeEntries(questions)).toEqual(expected)
        expect(await (await reopen()).describeEntries(questions)).toEqual(expected)
        expect(await store.describeEntries([])).toEqual([])
      })
    })

        describe('retention and tombstones', () => {
      it('keeps the newest maxItemsPerCategory per category and tombstones the rest, key and aliases', async () => {
        await store.upsert([entryOf('NEW', 1), entryOf('MID', 2), entryOf('OLD', 3), entryOf('OTHER', 3, { category: 'caijing' })], T0)

        const result = await store.prune({ maxItemsPerCategory: 2, maxAgeDays: 30, now: T0 })
        const reopened = await reopen()

        expect(result).toMatchObject({ pruned: 1, changedCategories: new Set(['meirijingjixinwen']) })
        expect(result.prunedItems).toEqual([
          { id: 'urn:feedloom:OLD', key: 'infocode:OLD', category: 'meirijingjixinwen', published: entryOf('OLD', 3).published },
        ])
        expect(ids(await reopened.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NEW', 'urn:feedloom:MID', 'urn:feedloom:OTHER'])
        expect(await reopened.findItem(['guid:OLD'])).toBeUndefined()
        expect(await reopened.isTombstoned(['guid:OLD'])).toBe(true)
        expect(await reopened.isTombstoned(['infocode:OLD'])).toBe(true)
        expect(await reopened.isTombstoned(['infocode:NEW'])).toBe(false)
      })

      it('removes items older than maxAgeDays, newest pruned first', async () => {
        await store.upsert([entryOf('NEW', 1), entryOf('OLD', 10), entryOf('OLDER', 20)], T0)

        const result = await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 5, now: T0 })

        expect(result.prunedItems.map((item) => item.id)).toEqual(['urn:feedloom:OLD', 'urn:feedloom:OLDER'])
        expect(ids(await store.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NEW'])
      })

      it('changes nothing when every item is within the limits', async () => {
        await store.upsert([entryOf('NEW', 1)], T0)
        await store.commit()

        const result = await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: T0 })

        expect(result).toEqual({ pruned: 0, prunedItems: [], changedCategories: new Set() })
        expect(store.hasChanges()).toBe(false)
      })

      it('does not bring back a pruned item that a source still lists, after a reopen too', async () => {
        await store.upsert([entryOf('NEW', 1), entryOf('OLD', 2)], T0)
        await store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: T0 })
        const reopened = await reopen()

        const result = await reopened.upsert([entryOf('OLD', 2), entryOf('SIBLING', 2, { aliases: ['guid:OLD'] })], T1)

        expect(result).toMatchObject({ added: [], skippedTombstoned: 2 })
        expect(ids(await reopened.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NEW'])
      })
    })

    describe('reading for publish', () => {
      it('lists the newest items first, equal instants by id, capped at the limit', async () => {
        await store.upsert(
          [
            entryOf('B', 2),
            entryOf('C', 1),
            entryOf('A', 2),
            entryOf('D', 3),
          ],
          T0,
        )
        const reopened = await reopen()

        expect(ids(await reopened.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:C', 'urn:feedloom:A', 'urn:feedloom:B', 'urn:feedloom:D'])
        expect(ids(await reopened.newestItems({ limit: 2 }))).toEqual(['urn:feedloom:C', 'urn:feedloom:A'])
        expect(ids(await store.newestItems({ limit: 3 }))).toEqual(['urn:feedloom:C', 'urn:feedloom:A', 'urn:feedloom:B'])
      })

      it('lists the newest items of one category', async () => {
        await store.upsert([entryOf('M1', 1), entryOf('C1', 2, { category: 'caijing' }), entryOf('M2', 3), entryOf('C2', 4, { category: 'caijing' })], T0)
        const reopened = await reopen()

        expect(ids(await reopened.newestItems({ category: 'caijing', limit: 10 }))).toEqual(['urn:feedloom:C1', 'urn:feedloom:C2'])
        expect(ids(await reopened.newestItems({ category: 'meirijingjixinwen', limit: 1 }))).toEqual(['urn:feedloom:M1'])
        expect(await reopened.newestItems({ category: 'nothing', limit: 10 })).toEqual([])
      })

      it('lists a page of the newest items from an offset, of one category and of all', async () => {
        await store.upsert([entryOf('M1', 1), entryOf('C1', 2, { category: 'caijing' }), entryOf('M2', 3), entryOf('C2', 4, { category: 'caijing' }), entryOf('M3', 5)], T0)
        const reopened = await reopen()

        expect(ids(await reopened.newestItems({ category: 'meirijingjixinwen', limit: 1, offset: 1 }))).toEqual(['urn:feedloom:M2'])
        expect(ids(await reopened.newestItems({ category: 'meirijingjixinwen', limit: 5, offset: 2 }))).toEqual(['urn:feedloom:M3'])
        expect(ids(await reopened.newestItems({ limit: 2, offset: 2 }))).toEqual(['urn:feedloom:M2', 'urn:feedloom:C2'])
        expect(await reopened.newestItems({ category: 'caijing', limit: 10, offset: 2 })).toEqual([])
      })

      it('answers what a page shows of the items newestItems gives, from an offset: title, link, date, outlet, author and the summary as text', async () => {
        store = await open({ filter: NO_ADS })
        const excerpted = '央行开展逆回购操作。'.repeat(30)
        const longSummary = '长'.repeat(600)
        const { link: _, ...linkless } = entryOf('L1', 3, { summary: longSummary })
        await store.upsert(
          [
            entryOf('S1', 1, { summary: '<p>央行<b>今日</b>开展逆回购 &amp; 操作</p>', author: '张三' }),
            entryOf('C1', 2, { content: `<p>${excerpted}</p>`, media: undefined }),
            linkless,
            entryOf('AD', 4, { title: '广告' }),
            entryOf('X1', 5, { category: 'caijing' }),
            entryOf('M5', 6),
          ],
          T0,
        )
        const reopened = await reopen({ filter: NO_ADS })
        const shown = (items: readonly StoredItem[]) =>
          items.map(({ id, title, link, author, media, published }) => ({ id, title, link, author, media, published }))
        const withoutText = (items: readonly PageItem[]) =>
          items.map(({ id, title, link, author, media, published }) => ({ id, title, link, author, media, published }))

        for (const handle of [store, reopened]) {
          const page = await handle.pageItems({ category: 'meirijingjixinwen', limit: 3, offset: 0 })
          expect(withoutText(page)).toEqual(shown(await handle.newestItems({ category: 'meirijingjixinwen', limit: 3 })))
          expect(page.map((item) => item.summaryText)).toEqual(['央行今日开展逆回购 & 操作', `${excerpted.slice(0, 200)}…`, longSummary])
          expect(page[0]).toMatchObject({ author: '张三', media: '每日经济新闻', link: 'https://finance.example.com/a/S1.html' })
          expect(page[1]?.media).toBeUndefined()
          expect(page[2]?.link).toBeUndefined()
          expect(ids(await handle.pageItems({ category: 'meirijingjixinwen', limit: 2, offset: 2 }))).toEqual(['urn:feedloom:L1', 'urn:feedloom:M5'])
          expect(ids(await handle.pageItems({ limit: 2, offset: 3 }))).toEqual(['urn:feedloom:X1', 'urn:feedloom:M5'])
          expect(await handle.pageItems({ category: 'caijing', limit: 5, offset: 1 })).toEqual([])
        }
      })

      it('leaves out what the filter does not publish, and counts only what it publishes', async () => {
        store = await open({ filter: NO_ADS })
        await store.upsert([entryOf('AD', 1, { title: '广告：理财' }), entryOf('NEWS', 2), entryOf('AD2', 3, { title: '广告', category: 'caijing' })], T0)
        const reopened = await reopen({ filter: NO_ADS })

        expect(ids(await store.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NEWS'])
        expect(ids(await reopened.newestItems({ category: 'meirijingjixinwen', limit: 1 }))).toEqual(['urn:feedloom:NEWS'])
        expect(await reopened.countItems()).toEqual({ all: 1, categories: new Map([['meirijingjixinwen', { items: 1, title: '每日经济新闻' }]]) })
        expect(await reopened.findItem(['infocode:AD'])).toMatchObject({ title: '广告：理财' })
      })

      it('answers with the rules it was opened with, not those the items were stored under', async () => {
        store = await open({ filter: NO_ADS })
        await store.upsert([entryOf('AD', 1, { title: '广告：理财' }), entryOf('BANK', 2, { title: '央行开展逆回购' })], T0)
        await store.commit()

        const withOtherRules = await open({ filter: NO_CENTRAL_BANK })
        const withoutRules = await open()

        expect(ids(await withOtherRules.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:AD'])
        expect((await withOtherRules.countItems()).all).toBe(1)
        expect(ids(await withoutRules.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:AD', 'urn:feedloom:BANK'])
      })

      it('judges an updated item by its new title', async () => {
        store = await open({ filter: NO_ADS })
        await store.upsert([entryOf('X', 1)], T0)

        await store.upsert([entryOf('X', 1, { title: '广告：改了' })], T1)
        const reopened = await reopen({ filter: NO_ADS })

        expect(await store.newestItems({ limit: 10 })).toEqual([])
        expect(await reopened.newestItems({ limit: 10 })).toEqual([])
        expect((await reopened.countItems()).all).toBe(0)
      })

      it('lists the live items published since an instant, filtered, newest first', async () => {
        store = await open({ filter: NO_ADS })
        await store.upsert([entryOf('TODAY', 0.5), entryOf('AD', 0.7, { title: '广告' }), entryOf('YESTERDAY', 1.5, { category: 'caijing' }), entryOf('OLD', 5)], T0)
        const reopened = await reopen({ filter: NO_ADS })

        const live = await reopened.liveItems({ since: new Date(T0.getTime() - 3 * DAY_MS) })

        expect(ids(live)).toEqual(['urn:feedloom:TODAY', 'urn:feedloom:YESTERDAY'])
        expect(live[0]).toMatchObject({ content: createEntry().content, infoCode: 'TODAY' })
      })

      it('lists an item in the category of a source that carried it as well as in its own, and once in all', async () => {
        store = await open({ filter: stcnIn('caijing') })
        const result = await store.upsert([entryOf('S1', 1, { sourceId: 'stcn' }), entryOf('C1', 2, { category: 'caijing', categoryTitle: '财经' })], T0)
        const reopened = await reopen({ filter: stcnIn('caijing') })

        expect(result.changedCategories).toEqual(new Set(['meirijingjixinwen', 'caijing']))
        for (const handle of [store, reopened]) {
          expect(ids(await handle.newestItems({ category: 'caijing', limit: 10 }))).toEqual(['urn:feedloom:S1', 'urn:feedloom:C1'])
          expect(ids(await handle.newestItems({ category: 'meirijingjixinwen', limit: 10 }))).toEqual(['urn:feedloom:S1'])
          expect(ids(await handle.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:S1', 'urn:feedloom:C1'])
          expect(await handle.countItems()).toEqual({
            all: 2,
            categories: new Map([
              ['caijing', { items: 2, title: '财经' }],
              ['meirijingjixinwen', { items: 1, title: '每日经济新闻' }],
            ]),
          })
        }
      })

      it('lists an item in the category its sources have under the rules it was opened with', async () => {
        store = await open({ filter: stcnIn('caijing') })
        await store.upsert([entryOf('M1', 1)], T0)
        await store.upsert([entryOf('M1', 1, { sourceId: 'stcn' })], T1)
        await store.commit()

        const moved = await open({ filter: stcnIn('zhengquanshibao') })
        expect(await moved.newestItems({ category: 'caijing', limit: 10 })).toEqual([])
        expect(ids(await moved.newestItems({ category: 'zhengquanshibao', limit: 10 }))).toEqual(['urn:feedloom:M1'])
        expect(await moved.countItems()).toEqual({
          all: 1,
          categories: new Map([
            ['meirijingjixinwen', { items: 1, title: '每日经济新闻' }],
            ['zhengquanshibao', { items: 1 }],
          ]),
        })
        await moved.commit()
        const movedBack = await open({ filter: stcnIn('caijing') })
        expect(ids(await movedBack.newestItems({ category: 'caijing', limit: 10 }))).toEqual(['urn:feedloom:M1'])
        expect((await movedBack.countItems()).categories.get('zhengquanshibao')).toBeUndefined()
      })

      it('counts items per category, titled by the newest item that has a title (none for a category without)', async () => {
        await store.upsert(
          [
            entryOf('M1', 1, { categoryTitle: undefined }),
            entryOf('M2', 2),
            entryOf('M3', 3),
            entryOf('C1', 1, { category: 'caijing', categoryTitle: undefined }),
          ],
          T0,
        )
        const reopened = await reopen()

        expect(await reopened.countItems()).toEqual({
          all: 4,
          categories: new Map([
            ['caijing', { items: 1 }],
            ['meirijingjixinwen', { items: 3, title: '每日经济新闻' }],
          ]),
        })
        expect([...(await reopened.countItems()).categories.keys()]).toEqual(['caijing', 'meirijingjixinwen'])
      })
    })

    describe('media category slugs', () => {
      /** 珠江日报 and 朱江日报 both spell zhujiangribao; normalize gives both the plain slug. */
      const fromMedia = (code: string, media: string): NormalizedEntry =>
        entryOf(code, 1, { aliases: [], media, category: 'zhujiangribao', categoryTitle: media })
      const suffixOf = (name: string) => createHash('sha1').update(name).digest('hex').slice(0, 6)
      const categoryOf = async (handle: Store, code: string) => (await handle.findItem([`infocode:${code}`]))?.category

      it('gives the first name the plain slug, and a second name with the same pinyin the slug plus 6 hex digits of its sha1', async () => {
        await store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报'), fromMedia('NW3', '珠江日报')], T0)

        expect([await categoryOf(store, 'NW1'), await categoryOf(store, 'NW2'), await categoryOf(store, 'NW3')]).toEqual([
          'zhujiangribao',
          `zhujiangribao-${suffixOf('朱江日报')}`,
          'zhujiangribao',
        ])
      })

      it('keeps both slugs after a reopen, whichever name comes first then, and after every item of a name was pruned', async () => {
        await store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报')], T0)
        await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 1, now: new Date(T0.getTime() + 10 * DAY_MS) })
        const reopened = await reopen()

        await reopened.upsert([fromMedia('NW4', '朱江日报'), fromMedia('NW3', '珠江日报')], T0)

        expect(await categoryOf(reopened, 'NW3')).toBe('zhujiangribao')
        expect(await categoryOf(reopened, 'NW4')).toBe(`zhujiangribao-${suffixOf('朱江日报')}`)
      })

      it('leaves a configured category alone', async () => {
        await store.upsert([createEntry({ category: 'zhujiangribao', categoryTitle: undefined }), fromMedia('NW2', '朱江日报')], T0)

        expect(await categoryOf(store, 'NW2')).toBe('zhujiangribao')
      })

      it('has nothing to commit when a known name comes again', async () => {
        await store.upsert([fromMedia('NW1', '珠江日报')], T0)
        await store.commit()

        await store.upsert([fromMedia('NW1', '珠江日报')], T1)

        expect(store.hasChanges()).toBe(false)
      })
    })

    describe('source state and publish record', () => {
      it('keeps source states across a commit, whatever the key order they were given in', async () => {
        const lastError = { code: 'E_FETCH_STATUS', message: 'HTTP 503', status: 503 }
        await store.setSourceState('nbd', { lastError, itemsSeen: 2, etag: '"v1"', consecutiveFailures: 1 })
        const reopened = await reopen()

        expect(await reopened.sourceStates()).toEqual(new Map([['nbd', { consecutiveFailures: 1, itemsSeen: 2, etag: '"v1"', lastError }]]))
        expect((await reopened.sourceStates()).has('em-list')).toBe(false)
      })

      it('reads one source state, as staged and as committed; none for a source never fetched', async () => {
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 3 })
        const staged = await store.sourceState('nbd')
        const reopened = await reopen()

        expect(staged).toEqual({ consecutiveFailures: 0, itemsSeen: 3 })
        expect(await reopened.sourceState('nbd')).toEqual({ consecutiveFailures: 0, itemsSeen: 3 })
        expect(await reopened.sourceState('em-list')).toBeUndefined()
      })

      it('hands out copies of source states', async () => {
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 1 })

        const state = (await store.sourceStates()).get('nbd')
        if (state) state.itemsSeen = 99

        expect((await store.sourceStates()).get('nbd')?.itemsSeen).toBe(1)
      })

      it('keeps the publish record sorted and without duplicates', async () => {
        await store.setPublishRecord({ jekyllPosts: ['_posts/b.md', '_posts/a.md', '_posts/b.md'], failedOutputs: [] })
        const reopened = await reopen()

        expect(await reopened.publishRecord()).toEqual({ jekyllPosts: ['_posts/a.md', '_posts/b.md'] })
      })

      it('keeps one failed output per file (the last given), sorted by file', async () => {
        const atom = { file: 'atom.xml', reason: 'cannot write out/atom.xml: EACCES', since: FAILED_RSS.since }
        const rssAgain = { ...FAILED_RSS, reason: 'cannot write out/rss.xml: ENOSPC' }
        await store.setPublishRecord({ failedOutputs: [FAILED_RSS, atom, rssAgain] })
        const reopened = await reopen()

        expect(await reopened.publishRecord()).toEqual({ failedOutputs: [atom, rssAgain] })
      })

      it('has no changes to commit for a source state or record set to what it already is', async () => {
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 3, etag: '"a"' })
        await store.setPublishRecord({ jekyllPosts: ['_posts/a.md'] })
        await store.commit()

        await store.setSourceState('nbd', { etag: '"a"', itemsSeen: 3, consecutiveFailures: 0 })
        await store.setPublishRecord({ jekyllPosts: ['_posts/a.md'] })

        expect(store.hasChanges()).toBe(false)
        expect(await store.commit()).toBe(false)
      })
    })

    describe('commit', () => {
      it('shows nothing staged to a fresh open before commit, and everything after', async () => {
        await store.upsert([entryOf('NEW', 1), entryOf('OLD', 2)], T0)
        await store.prune({ maxItemsPerCategory: 1, maxAgeDays: 30, now: T0 })
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 2 })
        await store.setPublishRecord({ failedOutputs: [FAILED_RSS] })

        const before = await open()
        const seenBefore = {
          items: ids(await before.newestItems({ limit: 10 })),
          tombstoned: await before.isTombstoned(['infocode:OLD']),
          sources: (await before.sourceStates()).size,
          record: await before.publishRecord(),
        }
        expect(store.hasChanges()).toBe(true)
        expect(await store.commit()).toBe(true)
        const after = await open()

        expect(seenBefore).toEqual({ items: [], tombstoned: false, sources: 0, record: {} })
        expect({
          items: ids(await after.newestItems({ limit: 10 })),
          tombstoned: await after.isTombstoned(['infocode:OLD']),
          sources: (await after.sourceStates()).size,
          record: await after.publishRecord(),
        }).toEqual({ items: ['urn:feedloom:NEW'], tombstoned: true, sources: 1, record: { failedOutputs: [FAILED_RSS] } })
        expect(store.hasChanges()).toBe(false)
      })

      it('changes nothing when closed without commit (a dry run)', async () => {
        await store.upsert([entryOf('KEPT', 1)], T0)
        await store.commit()
        const dryRun = await open()
        await dryRun.upsert([entryOf('DRY', 0)], T1)
        await dryRun.setSourceState('nbd', { consecutiveFailures: 1, itemsSeen: 0 })
        await dryRun.close()

        const after = await open()

        expect(ids(await after.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:KEPT'])
        expect((await after.sourceStates()).size).toBe(0)
      })

      it('commits again after a first commit, keeping both', async () => {
        await store.upsert([entryOf('FIRST', 2)], T0)
        await store.commit()
        await store.upsert([entryOf('SECOND', 1)], T1)
        await store.commit()

        const after = await open()

        expect(ids(await after.newestItems({ limit: 10 }))).toEqual(['urn:feedloom:SECOND', 'urn:feedloom:FIRST'])
      })

      it('keeps the last commit when a commit is interrupted, and the next commit completes', async (context) => {
        if (fixture.interruptCommit === undefined) context.skip()
        await store.upsert([entryOf('KEPT', 2)], T0)
        await store.commit()
        const interrupted = await open()
        await interrupted.upsert([entryOf('LOST', 1)], T1)
        await fixture.interruptCommit?.(interrupted)

        const next = await open()
        const seen = ids(await next.newestItems({ limit: 10 }))
        await next.upsert([entryOf('NEXT', 0)], T2)
        await next.commit()

        expect(seen).toEqual(['urn:feedloom:KEPT'])
        expect(ids(await (await open()).newestItems({ limit: 10 }))).toEqual(['urn:feedloom:NEXT', 'urn:feedloom:KEPT'])
        expect(await (await open()).check()).toEqual([])
      })
    })

    describe('copy and check', () => {
      it('finds nothing wrong with a store it wrote', async () => {
        await store.upsert([entryOf('A', 1), entryOf('B', 40)], T0)
        await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: T0 })
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 2 })
        const reopened = await reopen()

        expect(await reopened.check()).toEqual([])
      })

      it('exports everything it holds, and a store that imports it answers alike', async () => {
        await store.upsert([entryOf('A', 1), entryOf('B', 2, { category: 'caijing', categoryTitle: '财经' }), entryOf('OLD', 40)], T0)
        await store.upsert([entryOf('A', 1, { sourceId: 'nbd' })], T1)
        await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: T0 })
        await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 2, etag: '"e"' })
        await store.setPublishRecord({ jekyllPosts: ['_posts/a.md'] })
        const source = await reopen()
        const targetFixture = await create()
        try {
          const target = await targetFixture.open()
          for await (const batch of source.exportRecords()) await target.importRecords(batch)
          await target.commit()
          await target.close()
          const copy = await targetFixture.open()

          expect(await copy.newestItems({ limit: 10 })).toEqual(await source.newestItems({ limit: 10 }))
          expect(await copy.countItems()).toEqual(await source.countItems())
          expect(await copy.isTombstoned(['guid:OLD'])).toBe(true)
          expect(await copy.findItem(['guid:A'])).toMatchObject({ sources: ['em-list', 'nbd'], firstSeen: T0.toISOString() })
          expect(await copy.sourceStates()).toEqual(await source.sourceStates())
          expect(await copy.publishRecord()).toEqual({ jekyllPosts: ['_posts/a.md'] })
          expect(await copy.check()).toEqual([])
          expect((await collect(copy.exportRecords())).length).toBe((await collect(source.exportRecords())).length)
          await copy.close()
        } finally {
          await targetFixture.destroy()
        }
      })
    })
  })
}
