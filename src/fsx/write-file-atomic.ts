import { chmod, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface WriteFileAtomicOptions {
  /**
   * Flush the folder after the rename, so the new name survives a power cut. A caller that writes
   * many files into one folder and flushes it once itself (a store commit) turns this off.
   * @default true
   */
  syncDir?: boolean
}

/**
 * Replaces `file` with `data` so that a reader (or the next process after a kill) sees either the
 * old bytes or the new ones, never a mix: the bytes go to a dot file in the same folder (which
 * `serve` never serves), are flushed to disk, and the dot file (`.<name>.tmp`, as lowdb's own
 * writer names it) is renamed over `file`, keeping the permission bits of the file it replaces;
 * then the folder is flushed. The folder must exist, and the caller must be the only writer of
 * `file` (the store and publishing hold the store's lock; a config edit is one command).
 * Errors are the file system's, for the caller to wrap in its own stage's error.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const temp = tempFileOf(file)
  const mode = await stat(file).then(
    (stats) => stats.mode & 0o777,
    () => undefined,
  )
  try {
    const handle = await open(temp, 'w')
    try {
      await handle.writeFile(data)
      // Without it a power cut after the rename can leave an empty file under the new name.
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (mode !== undefined) await chmod(temp, mode)
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw err
  }
  if (options.syncDir !== false) await syncDir(dirname(file))
}

function tempFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`)
}

/**
 * Removes the temp files a killed writer left in `dir` (and, with `recursive`, below it). Only
 * while no other writer can be at work there; a missing folder has none.
 */
export async function removeTempFiles(dir: string, options: { recursive?: boolean } = {}): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, { recursive: options.recursive === true, withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const entry of entries) {
    if (entry.isFile() && /^\..+\.tmp$/.test(entry.name)) await rm(join(entry.parentPath, entry.name), { force: true })
  }
}

/** Flushes a folder's entries (renames, new and removed files) to disk. Best effort where a platform cannot. */
export async function syncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic there.
  } finally {
    await handle?.close()
  }
}
