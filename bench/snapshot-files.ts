import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** path → identity of the file's last write (size, mtime, inode). */
export type FileSnapshot = Map<string, { bytes: number; stamp: string }>

/** Every regular file under `dir` (recursively); a missing dir is empty. */
export async function snapshotFiles(dir: string): Promise<FileSnapshot> {
  const snapshot: FileSnapshot = new Map()
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) {
        const info = await stat(path, { bigint: true }).catch(() => undefined)
        if (info !== undefined) {
          snapshot.set(path, { bytes: Number(info.size), stamp: `${info.size}:${info.mtimeNs}:${info.ino}` })
        }
      }
    }
  }
  await walk(dir)
  return snapshot
}

/**
 * Bytes written between two snapshots: the full size of every file that is new or was
 * rewritten (mtime, size or inode changed). A file rewritten in place counts whole, so for
 * databases updated page by page (newsboat's SQLite) this is an upper bound. A file that is an
 * earlier file under a new name (renamed or hard-linked: same inode, size and mtime, as
 * feedloom's `db.json.bak`) had no byte written.
 */
export function measureWrites(before: FileSnapshot, after: FileSnapshot): { bytes: number; files: number } {
  const earlierFiles = new Set([...before.values()].map((file) => file.stamp))
  let bytes = 0
  let files = 0
  for (const [path, now] of after) {
    if (before.get(path)?.stamp === now.stamp || earlierFiles.has(now.stamp)) continue
    bytes += now.bytes
    files++
  }
  return { bytes, files }
}
