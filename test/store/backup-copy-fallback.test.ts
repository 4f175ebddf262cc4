import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, createTempDir, removeTempDir } from './store-test-helpers.js'

const linkFailure = vi.hoisted(() => ({ code: 'EXDEV' }))

vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>()
  const link = async (): Promise<void> => {
    throw Object.assign(new Error(`${linkFailure.code}: link not permitted`), { code: linkFailure.code })
  }
  return { ...original, link, default: { ...original, link } }
})

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
beforeEach(async () => {
  dir = await createTempDir()
})
afterEach(async () => {
  await removeTempDir(dir)
})

describe('openStore: <path>.bak where hard links fail', () => {
  it.each(['EXDEV', 'EPERM'])('falls back to a copy on %s', async (code) => {
    linkFailure.code = code
    const path = join(dir, 'db.json')
    // The lock takes itself with link() too: leave it out, only the backup of the index head is under test.
    const store = await openStore({ path, lock: false })
    await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 0 })
    await store.commit()
    const before = await stat(path)
    const firstText = await readFile(path, 'utf8')

    await store.upsert([createEntry()], NOW)
    await store.commit()
    await store.close()

    const bak = await stat(`${path}.bak`)
    expect(bak.ino).not.toBe(before.ino)
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(firstText)
  })

  it('fails the commit on other link errors, leaving the file as it was', async () => {
    linkFailure.code = 'EIO'
    const path = join(dir, 'db.json')
    // The lock takes itself with link() too: leave it out, only the backup of the index head is under test.
    const store = await openStore({ path, lock: false })
    await store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 0 })
    await store.commit()
    const firstText = await readFile(path, 'utf8')

    await store.upsert([createEntry()], NOW)
    await expect(store.commit()).rejects.toMatchObject({ code: 'E_STORE_IO' })
    await store.close()

    expect(await readFile(path, 'utf8')).toBe(firstText)
  })
})
