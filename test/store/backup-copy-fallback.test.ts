import { readFile, stat } from 'node:fs/promises'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { createEntry, createTempDir, removeTempDir } from './store-test-helpers.js'

/**
 * link() failing as on a file system without hard links. The test files share one module graph, so
 * the store's own `link` import is swapped in place (the builtin's bindings follow its CommonJS
 * object) rather than mocked, and put back after each test.
 */
const fsPromises = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises')
const realLink = fsPromises.link
let linkFailure = 'EXDEV'

const NOW = new Date('2022-01-11T06:00:00.000Z')

let dir: string
beforeEach(async () => {
  dir = await createTempDir()
  fsPromises.link = async () => {
    throw Object.assign(new Error(`${linkFailure}: link not permitted`), { code: linkFailure })
  }
  syncBuiltinESMExports()
})
afterEach(async () => {
  fsPromises.link = realLink
  syncBuiltinESMExports()
  await removeTempDir(dir)
})

describe('openStore: <path>.bak where hard links fail', () => {
  it.each(['EXDEV', 'EPERM'])('falls back to a copy on %s', async (code) => {
    linkFailure = code
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
    linkFailure = 'EIO'
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
