import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

/** Editors write in bursts (temp file, rename, chmod): one reread after the last event. */
const SETTLE_MS = 200

/**
 * Calls `onChange` when the file at `path` changes. The folder is watched, not the file: editors
 * and `feedloom add` replace the file by rename, which ends a watch on the file itself.
 * @returns stops watching
 */
export function watchConfig(path: string, onChange: () => void): () => void {
  const name = basename(path)
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return
      clearTimeout(timer)
      timer = setTimeout(onChange, SETTLE_MS)
    })
  } catch {
    // A folder that cannot be watched (some network file systems) still has SIGHUP.
    watcher = undefined
  }
  return () => {
    clearTimeout(timer)
    watcher?.close()
  }
}
