import { chmod, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces `file` with `data` so that a reader (or the next process after a kill) sees either the
 * old bytes or the new ones, never a mix: the bytes go to a dot file in the same folder, are
 * flushed to disk, and the dot file (`.<name>.tmp`, as lowdb's own writer names it) is renamed over
 * `file`, keeping the permission bits of the file it replaces. The folder must exist, and the
 * caller must be the only writer of `file` (the store holds its lock; a config edit is one command).
 * Errors are the file system's, for the caller to wrap in its own stage's error.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp`)
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
