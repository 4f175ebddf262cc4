import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { useTestPostgres } from '../helpers/postgres.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'
import { createEntry, readStoreSnapshot } from '../store/store-test-helpers.js'

const postgres = await useTestPostgres()
const NOW = new Date('2022-01-11T06:00:00.000Z')
const site = { title: '金融消息', url: 'https://news.example.com/' }

describe.skipIf(postgres === undefined)('feedloom store copy between files and PostgreSQL', () => {
  const db = postgres as NonNullable<typeof postgres>
  let dir: string
  let configPath: string

  beforeEach(async () => {
    ;({ dir, configPath } = await writeConfig({ site, store: { path: 'store/db.json', maxAgeDays: 36500 } }))
    const store = await openStore({ path: join(dir, 'store/db.json') })
    await store.upsert(
      [
        createEntry({ key: 'infocode:A', aliases: ['guid:A'], infoCode: 'A', published: '2022-01-11T05:00:00.000Z' }),
        createEntry({ key: 'infocode:B', aliases: ['guid:B'], infoCode: 'B', published: '2022-01-10T05:00:00.000Z', category: 'caijing', categoryTitle: '财经' }),
        createEntry({ key: 'infocode:OLD', aliases: [], infoCode: 'OLD', published: '2021-01-10T05:00:00.000Z' }),
      ],
      NOW,
    )
    await store.upsert([createEntry({ key: 'infocode:A', aliases: ['guid:nbd-A'], infoCode: 'A', sourceId: 'nbd', published: '2022-01-11T05:00:00.000Z' })], NOW)
    await store.prune({ maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW })
    await store.setSourceState('em-list', { consecutiveFailures: 0, itemsSeen: 3, etag: '"e"' })
    await store.setPublishRecord({ jekyllPosts: ['_posts/2022-01-11-A.md'] })
    await store.commit()
    await store.close()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('copies a file store into PostgreSQL and back, keeping every item, tombstone, source state and slug', async () => {
    const schema = await db.createSchema()
    const shownUrl = `postgres://feedloom_test@${new URL(schema.url).host}${new URL(schema.url).pathname}`
    const { configPath: postgresConfig } = await writeConfig({ site, store: { url: schema.url, maxAgeDays: 36500 } })
    const back = join(dir, 'back/db.json')

    const there = await runCli('store', 'copy', '--to', schema.url, '--config', configPath)
    const check = await runCli('store', 'check', '--config', postgresConfig)
    const backAgain = await runCli('store', 'copy', '--to', back, '--config', postgresConfig)

    expect([there.code, there.stdout]).toEqual([0, `copied 2 items, 1 tombstones and 1 source states to ${shownUrl}`])
    expect([check.code, check.stdout]).toEqual([0, `store ${shownUrl}: ok, 2 items in 2 categories`])
    expect([backAgain.code, backAgain.stdout]).toEqual([0, `copied 2 items, 1 tombstones and 1 source states to ${back}`])
    const original = await readStoreSnapshot(join(dir, 'store/db.json'))
    expect(await readStoreSnapshot(back)).toEqual(original)
    expect(original.items.find((item) => item.id === 'urn:feedloom:A')).toMatchObject({ sources: ['em-list', 'nbd'], aliases: ['infocode:A', 'guid:A', 'guid:nbd-A'] })
    const publish = await openStore({ path: back, lock: false })
    expect(await publish.publishRecord()).toEqual({ jekyllPosts: ['_posts/2022-01-11-A.md'] })
    await publish.close()
  })

  it('refuses to copy into a database that already holds a store, without showing the password', async () => {
    const schema = await db.createSchema()
    await runCli('store', 'copy', '--to', schema.url, '--config', configPath)

    const again = await runCli('store', 'copy', '--to', schema.url, '--config', configPath)

    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`store postgres://feedloom_test@${new URL(schema.url).host}${new URL(schema.url).pathname} is not empty`)
    expect(again.stderr).not.toContain(':feedloom_test@')
  })
})
