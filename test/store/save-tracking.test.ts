import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, createTempDir, DAY_MS, readStoreFile, removeTempDir } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
let path: string
beforeEach(async () => {
  dir = await createTempDir()
  path = join(dir, 'db.json')
})
afterEach(async () => {
  vi.restoreAllMocks()
  await removeTempDir(dir)
})

/** A store file holding two items, one source state and a tombstone, as feedloom writes it. */
async function writeStore(): Promise<void> {
  const store = await openStore({ path })
  store.upsert([createEntry(), createEntry({ key: 'infocode:NW2', aliases: [], published: NOW.toISOString() })], NOW)
  store.setSourceState('em-list', { consecutiveFailures: 0, itemsSeen: 2, etag: '"v1"' })
  await store.save()
  await store.close()
}

/** Counts JSON.stringify calls given a whole store (an object with `items`). */
function spyOnStoreSerialization(): () => number {
  const spy = vi.spyOn(JSON, 'stringify')
  return () => spy.mock.calls.filter(([value]) => typeof value === 'object' && value !== null && 'items' in value).length
}

describe('openStore: saving only what changed', () => {
  it('does not serialize a reopened store that did not change', async () => {
    await writeStore()
    const store = await openStore({ path })
    const serializations = spyOnStoreSerialization()

    store.upsert([createEntry()], new Date(NOW.getTime() + 60_000))
    store.setSourceState('em-list', { etag: '"v1"', itemsSeen: 2, consecutiveFailures: 0 })
    store.prune({ maxItemsPerCategory: 100, maxAgeDays: 36_500, now: NOW })
    const changed = store.hasUnsavedChanges()
    const wrote = await store.save()
    await store.close()

    expect({ changed, wrote, serializations: serializations() }).toEqual({ changed: false, wrote: false, serializations: 0 })
  })

  it.each([
    ['a new item', (store: Awaited<ReturnType<typeof openStore>>) => store.upsert([createEntry({ key: 'infocode:NW3', aliases: [] })], NOW)],
    ['a new alias', (store: Awaited<ReturnType<typeof openStore>>) => store.upsert([createEntry({ aliases: ['guid:x'] })], NOW)],
    ['a new source', (store: Awaited<ReturnType<typeof openStore>>) => store.upsert([createEntry({ sourceId: 'nbd' })], NOW)],
    ['a new title', (store: Awaited<ReturnType<typeof openStore>>) => store.upsert([createEntry({ title: '新标题' })], NOW)],
    ['a changed source state', (store: Awaited<ReturnType<typeof openStore>>) => store.setSourceState('em-list', { consecutiveFailures: 1, itemsSeen: 2 })],
    ['a new source state', (store: Awaited<ReturnType<typeof openStore>>) => store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 0 })],
    ['a pruned item', (store: Awaited<ReturnType<typeof openStore>>) => store.prune({ maxItemsPerCategory: 1, maxAgeDays: 36_500, now: NOW })],
  ])('writes after %s', async (_, change) => {
    await writeStore()
    const before = await readFile(path, 'utf8')
    const store = await openStore({ path })

    change(store)
    const changed = store.hasUnsavedChanges()
    const wrote = await store.save()
    await store.close()

    expect({ changed, wrote }).toEqual({ changed: true, wrote: true })
    expect(await readFile(path, 'utf8')).not.toBe(before)
  })

  it('writes when prune only drops an expired tombstone', async () => {
    await writeStore()
    const first = await openStore({ path })
    first.prune({ maxItemsPerCategory: 1, maxAgeDays: 36_500, now: NOW })
    await first.save()
    await first.close()
    expect(Object.keys((await readStoreFile(path)).tombstones).length).toBeGreaterThan(0)

    const second = await openStore({ path })
    second.prune({ maxItemsPerCategory: 100, maxAgeDays: 36_500, now: new Date(NOW.getTime() + 400 * DAY_MS) })
    expect(await second.save()).toBe(true)
    await second.close()

    expect((await readStoreFile(path)).tombstones).toEqual({})
  })

  it('saves a change made while an earlier save was writing', async () => {
    await writeStore()
    const store = await openStore({ path })
    store.upsert([createEntry({ key: 'infocode:NW3', aliases: [] })], NOW)
    const first = store.save()
    await Promise.resolve()
    store.upsert([createEntry({ key: 'infocode:NW4', aliases: [] })], NOW)
    await first
    await store.save()
    await store.close()

    expect((await readStoreFile(path)).items.map((item) => item.key).sort()).toContain('infocode:NW4')
  })

  it('stays dirty after a failed write, so the next save retries', async () => {
    await writeStore()
    const store = await openStore({ path })
    store.upsert([createEntry({ key: 'infocode:NW3', aliases: [] })], NOW)
    const { chmod } = await import('node:fs/promises')
    await chmod(dir, 0o500)
    const failed = await store.save().then(
      () => false,
      () => true,
    )
    await chmod(dir, 0o700)
    // Root ignores the folder's mode; the retry must write either way.
    const wrote = await store.save()
    await store.close()

    expect(failed ? wrote : true).toBe(true)
    expect((await readStoreFile(path)).items.map((item) => item.key)).toContain('infocode:NW3')
  })

  it.each([
    ['laid out without indentation', (text: string) => `${JSON.stringify(JSON.parse(text))}\n`],
    ['with CRLF line ends', (text: string) => text.replaceAll('\n', '\r\n')],
    ['with keys in another order', (text: string) => JSON.stringify(reorder(JSON.parse(text)), null, 2) + '\n'],
    ['with items oldest first', (text: string) => {
      const data = JSON.parse(text)
      data.items.reverse()
      return `${JSON.stringify(data, null, 2)}\n`
    }],
    ['with the alias map stores kept before it was derived from the items', (text: string) => {
      const data = JSON.parse(text)
      const items = data.items as { id: string; aliases: string[] }[]
      data.aliases = Object.fromEntries(items.flatMap((item) => item.aliases.map((alias) => [alias, item.id])))
      return `${JSON.stringify(data, null, 2)}\n`
    }],
    ['with an unknown item field', (text: string) => {
      const data = JSON.parse(text)
      data.items[0].extra = 'x'
      return `${JSON.stringify(data, null, 2)}\n`
    }],
  ])('rewrites once, in its own layout, a file %s', async (_, rewrite) => {
    await writeStore()
    const canonical = await readFile(path, 'utf8')
    await writeFile(path, rewrite(canonical))

    const first = await openStore({ path })
    const wroteFirst = await first.save()
    await first.close()
    const second = await openStore({ path })
    const wroteSecond = await second.save()
    await second.close()

    expect({ wroteFirst, wroteSecond }).toEqual({ wroteFirst: true, wroteSecond: false })
    expect(await readFile(path, 'utf8')).toBe(canonical)
  })
})

describe('openStore: <path>.bak', () => {
  it('is the previous file itself (a hard link), and the new file is a new inode', async () => {
    await writeStore()
    const before = await stat(path)
    const beforeText = await readFile(path, 'utf8')

    const store = await openStore({ path })
    store.upsert([createEntry({ key: 'infocode:NW3', aliases: [] })], NOW)
    await store.save()
    await store.close()

    const [after, bak] = await Promise.all([stat(path), stat(`${path}.bak`)])
    expect(bak.ino).toBe(before.ino)
    expect(after.ino).not.toBe(before.ino)
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(beforeText)
  })

  it('replaces a temp file left by a killed run', async () => {
    await writeStore()
    const beforeText = await readFile(path, 'utf8')
    await writeFile(`${path}.bak.tmp`, 'half a cop')

    const store = await openStore({ path })
    store.upsert([createEntry({ key: 'infocode:NW3', aliases: [] })], NOW)
    await store.save()
    await store.close()

    expect(await readFile(`${path}.bak`, 'utf8')).toBe(beforeText)
    await expect(stat(`${path}.bak.tmp`)).rejects.toThrow()
  })
})

function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).reverse().map(([key, entry]) => [key, reorder(entry)]))
}
