import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { openStore } from '../../src/store/open-store.js'
import { testStore } from './store-contract.js'
import { createTempDir, removeTempDir } from './store-test-helpers.js'

testStore('lowdb', async () => {
  const dir = await createTempDir()
  const path = join(dir, 'db.json')
  return {
    open: (options) => openStore({ path, lock: false, ...options }),
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
})
