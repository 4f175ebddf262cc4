import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, createTempDir, readStoreFile, removeTempDir } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
beforeEach(async () => {
  dir = await createTempDir()
})
afterEach(async () => {
  await removeTempDir(dir)
})

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('openStore: the file', () => {
  it('saves a new store as a file with version 1, its head first, and empty maps', async () => {
    const path = join(dir, 'db.json')
    const store = await openStore({ path })

    expect(await store.save()).toBe(true)
    await store.close()

    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "version": 1,\n  "sources": {},\n  "retention": {\n    "largestCategory": 0\n  },\n' +
        '  "items": [],\n  "tombstones": {}\n}\n',
    )
  })

  it('creates missing parent folders on save', async () => {
    const path = join(dir, 'nested', 'deeper', 'db.json')
    const store = await openStore({ path })

    await store.save()
    await store.close()

    expect((await readStoreFile(path)).version).toBe(1)
  })

  it('does not rewrite the file when nothing changed (bytes and mtime kept)', async () => {
    const path = join(dir, 'db.json')
    const store = await openStore({ path })
    store.upsert([createEntry()], NOW)
    await store.save()
    const bytesBefore = await readFile(path)
    const mtimeBefore = (await stat(path)).mtimeMs
    await pause(30)

    store.upsert([createEntry()], new Date(NOW.getTime() + 300_000))
    const wrote = await store.save()
    await store.close()

    expect(wrote).toBe(false)
    expect((await stat(path)).mtimeMs).toBe(mtimeBefore)
    expect(await readFile(path)).toEqual(bytesBefore)
  })

  it('does not rewrite a reopened store that did not change', async () => {
    const path = join(dir, 'db.json')
    const first = await openStore({ path })
    first.upsert([createEntry()], NOW)
    await first.save()
    await first.close()
    const mtimeBefore = (await stat(path)).mtimeMs
    await pause(30)

    const second = await openStore({ path })
    const wrote = await second.save()
    await second.close()

    expect(wrote).toBe(false)
    expect((await stat(path)).mtimeMs).toBe(mtimeBefore)
  })

  it('writes exactly the same bytes for the same data reached in a different order', async () => {
    const entryA = createEntry()
    const entryB = createEntry({ key: 'infocode:NW2', aliases: [], sourceId: 'nbd', published: NOW.toISOString() })
    const stores = await Promise.all([
      openStore({ path: join(dir, 'a.json') }),
      openStore({ path: join(dir, 'b.json') }),
    ])
    stores[0]!.upsert([entryA, entryB], NOW)
    stores[0]!.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 1, etag: '"x"' })
    stores[1]!.upsert([entryB], NOW)
    stores[1]!.upsert([entryA], NOW)
    stores[1]!.setSourceState('nbd', { etag: '"x"', itemsSeen: 1, consecutiveFailures: 0 })

    for (const store of stores) await store.save()
    for (const store of stores) await store.close()

    expect(await readFile(join(dir, 'b.json'), 'utf8')).toBe(await readFile(join(dir, 'a.json'), 'utf8'))
  })

  it('keeps the previous file as <path>.bak when saving over it', async () => {
    const path = join(dir, 'db.json')
    const store = await openStore({ path })
    await store.save()
    const firstBytes = await readFile(path)

    store.upsert([createEntry()], NOW)
    await store.save()
    await store.close()

    expect(await readFile(`${path}.bak`)).toEqual(firstBytes)
    expect((await readStoreFile(path)).items).toHaveLength(1)
  })

  it('reads back what it saved', async () => {
    const path = join(dir, 'db.json')
    const first = await openStore({ path })
    first.upsert([createEntry()], NOW)
    first.setSourceState('em-list', { consecutiveFailures: 2, itemsSeen: 1, etag: '"v1"' })
    await first.save()
    await first.close()

    const second = await openStore({ path })
    await second.close()

    expect(second.items()).toEqual(first.items())
    expect(second.sourceState('em-list')).toEqual({ consecutiveFailures: 2, itemsSeen: 1, etag: '"v1"' })
  })

  it('rejects a file that is not JSON with E_STORE_CORRUPT naming the path, leaving its bytes', async () => {
    const path = join(dir, 'db.json')
    await writeFile(path, '{"version": 1, "items": [')

    const err = await catchError(openStore({ path }))

    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject({ code: 'E_STORE_CORRUPT' })
    expect((err as Error).message).toContain(path)
    expect(await readFile(path, 'utf8')).toBe('{"version": 1, "items": [')
  })

  it('rejects JSON that is not a store with E_STORE_CORRUPT', async () => {
    const path = join(dir, 'db.json')
    const notAStore = { version: 1, items: [{ id: 'x' }], aliases: {}, tombstones: {}, sources: {} }
    await writeFile(path, JSON.stringify(notAStore))

    await expect(openStore({ path })).rejects.toMatchObject({ code: 'E_STORE_CORRUPT' })
  })

  it('opens a store whose texts hold quotes, colons and backslashes that look like keys', async () => {
    const path = join(dir, 'db.json')
    const first = await openStore({ path })
    first.upsert([createEntry({ title: 'say "items": [] \\', content: '<p>"sources": {"a": 1}, \\"</p>' })], NOW)
    await first.save()
    await first.close()

    const second = await openStore({ path })
    await second.close()

    expect(second.items().map((item) => [item.title, item.content])).toEqual([['say "items": [] \\', '<p>"sources": {"a": 1}, \\"</p>']])
  })

  it('rejects a key written twice in one item, naming it, even when the values agree', async () => {
    const path = join(dir, 'db.json')
    const first = await openStore({ path })
    first.upsert([createEntry({ title: 't' })], NOW)
    await first.save()
    await first.close()
    const text = await readFile(path, 'utf8')
    await writeFile(path, text.replace('"title": "t",', '"title": "t",\n      "title": "t",'))

    const err = await catchError(openStore({ path }))

    expect([(err as StoreError).code, (err as Error).message]).toEqual([
      'E_STORE_CORRUPT',
      `store ${path} is not a feedloom store: items[0].title: the key appears twice in one object; it was left untouched`,
    ])
  })

  it('rejects a store written by a newer version with E_STORE_VERSION', async () => {
    const path = join(dir, 'db.json')
    await writeFile(path, JSON.stringify({ version: 2, items: {}, things: [] }))

    await expect(openStore({ path })).rejects.toMatchObject({ code: 'E_STORE_VERSION' })
  })

  it('reports an unreadable path as E_STORE_IO with the cause kept', async () => {
    const path = join(dir, 'db.json')
    await mkdir(path)

    const err = await catchError(openStore({ path, lock: false }))

    expect(err).toMatchObject({ code: 'E_STORE_IO', cause: { code: 'EISDIR' } })
  })
})

describe('openStore: source state', () => {
  it('gives a fresh state for a source never seen', async () => {
    const store = await openStore({ path: join(dir, 'db.json') })
    await store.close()

    expect(store.sourceState('nbd')).toEqual({ consecutiveFailures: 0, itemsSeen: 0 })
  })

  it('does not write when a source state is set to equal data', async () => {
    const path = join(dir, 'db.json')
    const store = await openStore({ path })
    store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 3, etag: '"a"', lastModified: 'x' })
    await store.save()

    store.setSourceState('nbd', { lastModified: 'x', etag: '"a"', itemsSeen: 3, consecutiveFailures: 0 })
    const wrote = await store.save()
    await store.close()

    expect(wrote).toBe(false)
  })

  it('writes a changed source state', async () => {
    const path = join(dir, 'db.json')
    const store = await openStore({ path })
    await store.save()

    const lastError = { code: 'E_FETCH_STATUS', message: 'HTTP 503', status: 503 }
    store.setSourceState('nbd', { consecutiveFailures: 1, itemsSeen: 0, lastError })
    const wrote = await store.save()
    await store.close()

    expect(wrote).toBe(true)
    expect((await readStoreFile(path)).sources.nbd).toEqual({ consecutiveFailures: 1, itemsSeen: 0, lastError })
  })
})
