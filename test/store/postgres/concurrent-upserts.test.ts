import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../../src/store/postgres/open-postgres-store.js'
import type { Store } from '../../../src/store/store.js'
import { useTestPostgres } from '../../helpers/postgres.js'
import { createEntry } from '../store-test-helpers.js'

const postgres = await useTestPostgres()
const T0 = new Date('2022-01-11T06:00:00.000Z')
const T1 = new Date('2022-01-11T06:05:00.000Z')

describe.skipIf(postgres === undefined)('PostgreSQL store: writers at the same time', () => {
  const db = postgres as NonNullable<typeof postgres>
  const opened: Store[] = []
  const open = async (url: string): Promise<Store> => {
    const store = await openPostgresStore({ url })
    opened.push(store)
    return store
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close()
  })
  /** Resolves once some connection to the test database waits for a row lock another one holds. */
  const someoneWaitsForALock = async (): Promise<void> => {
    for (;;) {
      const [row] = await db.query<{ waiting: number }>(
        `SELECT count(*)::integer AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      if ((row?.waiting ?? 0) > 0) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('makes one item of one infoCode upserted by two connections at once, listing both sources', async () => {
    const { url } = await db.createSchema()
    const first = await open(url)
    const second = await open(url)
    await first.upsert([createEntry({ sourceId: 'em-list' })], T0)

    // The second insert waits on the first's uncommitted row, then finds it committed and merges.
    const secondUpsert = second.upsert([createEntry({ sourceId: 'nbd', aliases: ['guid:nbd-1'] })], T1)
    await someoneWaitsForALock()
    await first.commit()
    const secondResult = await secondUpsert
    await second.commit()
    const items = await (await open(url)).newestItems({ limit: 10 })

    expect({ added: secondResult.added.length, merged: secondResult.merged }).toEqual({ added: 0, merged: 1 })
    expect(items).toMatchObject([
      {
        id: 'urn:feedloom:NW202201112243496752',
        sources: ['em-list', 'nbd'],
        aliases: ['infocode:NW202201112243496752', 'link:https://finance.example.com/a/202201112243496752.html', 'guid:nbd-1'],
        firstSeen: T0.toISOString(),
      },
    ])
    expect(await (await open(url)).findItem(['guid:nbd-1'])).toMatchObject({ id: 'urn:feedloom:NW202201112243496752' })
  })

  it('keeps both sources when two connections merge into one stored item at once', async () => {
    const { url } = await db.createSchema()
    const seed = await open(url)
    await seed.upsert([createEntry({ sourceId: 'em-list' })], T0)
    await seed.commit()
    const first = await open(url)
    const second = await open(url)
    await first.upsert([createEntry({ sourceId: 'nbd' })], T1)

    // The second read the item before the first committed: its update must not overwrite the first's.
    const secondUpsert = second.upsert([createEntry({ sourceId: 'yicai' })], T1)
    await someoneWaitsForALock()
    await first.commit()
    await secondUpsert
    await second.commit()

    expect(await (await open(url)).findItem(['infocode:NW202201112243496752'])).toMatchObject({ sources: ['em-list', 'nbd', 'yicai'] })
  })

  it('stores every item once when 8 connections upsert overlapping stories in several categories at once, round after round', async () => {
    const { url } = await db.createSchema()
    const writers = await Promise.all(Array.from({ length: 8 }, () => open(url)))
    const categories = ['a', 'b', 'c', 'd']
    const rounds = 4
    const failures: string[] = []
    for (let round = 0; round < rounds; round++) {
      // Writer w carries stories w … w+12 of the round: each story is written by several writers, in a different order by each.
      await Promise.all(
        writers.map(async (store, writer) => {
          const sourceId = `source-${writer}`
          const entries = Array.from({ length: 13 }, (_, offset) => {
            const story = round * 20 + ((writer + offset) % 20)
            const code = `NW${String(story).padStart(6, '0')}`
            const category = categories[(story + writer) % categories.length]!
            return createEntry({ key: `infocode:${code}`, aliases: [`guid:${sourceId}-${code}`], infoCode: code, sourceId, title: `${code}`, category, categories: [category] })
          })
          try {
            await store.setSourceState(sourceId, { consecutiveFailures: 0, itemsSeen: round })
            await store.upsert(writer % 2 === 0 ? entries : entries.reverse(), new Date(T0.getTime() + round * 60_000))
            await store.commit()
          } catch (err) {
            failures.push((err as { code?: string }).code ?? String(err))
          }
        }),
      )
    }
    const store = await open(url)
    const items = await store.newestItems({ limit: 1000 })

    expect(failures).toEqual([])
    expect(items).toHaveLength(rounds * 20)
    // check() compares the trigger-kept counts with the items.
    expect(await store.check()).toEqual([])
  }, 60_000)

  it('stores a whole cycle of 2,500 stories (25,000 identities) in one transaction, after the writers it waited for', async () => {
    const { url } = await db.createSchema()
    const small = await open(url)
    const cycle = await open(url)
    const story = (index: number, sourceId: string) => {
      const code = `NW${String(index).padStart(6, '0')}`
      const aliases = Array.from({ length: 9 }, (_, alias) => `guid:${sourceId}-${alias}-${code}`)
      return createEntry({ key: `infocode:${code}`, aliases, infoCode: code, sourceId, title: code })
    }
    await small.upsert([story(0, 'em-list'), story(1, 'em-list')], T0)

    // Too many identities for one lock each: the cycle waits for every other writer instead.
    const cycleUpsert = cycle.upsert(Array.from({ length: 2500 }, (_, index) => story(index, 'nbd')), T1)
    await someoneWaitsForALock()
    await small.commit()
    const result = await cycleUpsert
    await cycle.commit()
    const store = await open(url)

    expect({ added: result.added.length, merged: result.merged }).toEqual({ added: 2498, merged: 2 })
    expect(await store.newestItems({ limit: 5000 })).toHaveLength(2500)
    expect(await store.check()).toEqual([])
  }, 60_000)

  it('tombstones the alias a concurrent writer adds to an item that retention prunes', async () => {
    const { url } = await db.createSchema()
    const seed = await open(url)
    await seed.upsert([createEntry(), createEntry({ key: 'infocode:NW2', aliases: [], infoCode: 'NW2', title: 'newer', published: '2022-01-11T06:35:18.000Z' })], T0)
    await seed.commit()
    const writer = await open(url)
    const publisher = await open(url)
    await writer.upsert([createEntry({ sourceId: 'nbd', aliases: ['guid:nbd-1'] })], T1)

    // The older item goes (one item per category); the writer has not committed the alias it added.
    const pruning = publisher.prune({ maxItemsPerCategory: 1, maxAgeDays: 36500, now: T1 })
    await someoneWaitsForALock()
    await writer.commit()
    const pruned = await pruning
    await publisher.commit()
    const store = await open(url)

    expect(pruned.prunedItems.map((item) => item.key)).toEqual(['infocode:NW202201112243496752'])
    expect(await store.isTombstoned(['guid:nbd-1'])).toBe(true)
    expect(await store.check()).toEqual([])
  })

  // Two node processes start with tsx: seconds each on a busy machine.
  it('makes one item per infoCode when two processes upsert the same 200 infoCodes at once', async () => {
    const { url } = await db.createSchema()
    await (await open(url)).close()
    const children = ['em-list', 'nbd'].map((sourceId) =>
      spawn(process.execPath, ['--import', 'tsx', new URL('./upsert-in-child.ts', import.meta.url).pathname, url, sourceId, '200'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    )
    const lines = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]())
    for (const line of lines) expect((await line.next()).value).toBe('ready')

    for (const child of children) child.stdin.write('go\n')
    const results = await Promise.all(lines.map(async (line) => JSON.parse((await line.next()).value as string) as { added: number; merged: number }))
    const store = await open(url)
    const items = await store.newestItems({ limit: 1000 })

    expect(items).toHaveLength(200)
    // Whichever process got there first is the first source of every item; each lists both.
    expect(new Set(items.map((item) => [...item.sources].sort().join(',')))).toEqual(new Set(['em-list,nbd']))
    expect(results.map((result) => result.added + result.merged)).toEqual([200, 200])
    expect(results[0]!.added + results[1]!.added).toBe(200)
    expect(await store.check()).toEqual([])
  }, 60_000)
})
