import { access, readFile, rename } from 'node:fs/promises'
import { StoreError } from '../../errors.js'
import { writeFileAtomic } from '../../fsx/write-file-atomic.js'
import { acquireStoreLock } from '../store-lock.js'
import { describeLayout } from './lowdb-layout.js'
import { checkLowdbStore } from './open-lowdb-store.js'

export interface RestoreResult {
  /** Where the damaged head now is. */
  keptAs: string
  /** The backup that became the head. */
  restoredFrom: string
}

/**
 * Puts the commit before the last one back: the backup head (`<path>.bak`) is checked together
 * with the segment files it names, and only when it is whole does it replace the head, which is
 * kept aside as `<path>.corrupt` (or `<path>.corrupt-<time>` when that name is taken) for a bug
 * report. Takes the store lock: nothing may commit while the head is swapped.
 * @throws StoreError E_STORE_IO without a backup, E_STORE_CORRUPT when the backup is damaged too
 */
export async function restoreLowdbStore(path: string, now: Date): Promise<RestoreResult> {
  const layout = describeLayout(path)
  const lock = await acquireStoreLock(path, { holder: 'feedloom store restore' })
  try {
    if (!(await exists(layout.backup))) {
      throw new StoreError('E_STORE_IO', `store ${path} has no backup ${layout.backup} to restore; restore ${layout.segmentsDir} and ${path} from a backup of the machine`)
    }
    // The backup's own files, not the orphans beside it: the damaged head's files are those.
    const problems = await checkLowdbStore({ ...layout, head: layout.backup }, { orphans: false })
    if (problems.length > 0) {
      throw new StoreError('E_STORE_CORRUPT', `the backup ${layout.backup} is damaged too, so nothing was changed:\n  ${problems.join('\n  ')}`)
    }
    const keptAs = (await exists(`${path}.corrupt`)) ? `${path}.corrupt-${now.toISOString().replaceAll(':', '')}` : `${path}.corrupt`
    if (await exists(path)) await rename(path, keptAs)
    // A copy, so the backup stays as it is: it is also the generation the next commit backs up from.
    await writeFileAtomic(path, await readFile(layout.backup))
    return { keptAs, restoredFrom: layout.backup }
  } finally {
    await lock.release()
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}
