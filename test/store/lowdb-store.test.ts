import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { openStore } from '../../src/store/open-store.js'
import { type StoreFixture, testStore } from './store-contract.js'
import { createTempDir, removeTempDir } from './store-test-helpers.js'

/** A lowdb store in a fresh folder, each handle opened with `heldBodies` when given. */
async function createLowdbFixture(heldBodies?: number): Promise<StoreFixture> {
  const dir = await createTempDir()
  const path = join(dir, 'db.json')
  return {
    open: (options) => openStore({ path, lock: false, heldBodies, ...options }),
    destroy: () => removeTempDir(dir),
    async interruptCommit(store) {
      // A folder where the new head's temp file goes: the segments are written, the switch fails.
      const blocker = join(dir, '.db.json.tmp')
      await mkdir(blocker)
      try {
        await store.commit().catch(() => undefined)
      } finally {
        await rm(blocker, { recursive: true })
      }
    },
  }
}

testStore('lowdb', () => createLowdbFixture())

// Every body past the first is let go at once: changed ones written ahead of the commit, read back when asked for.
testStore('lowdb holding one body in memory', () => createLowdbFixture(1))
