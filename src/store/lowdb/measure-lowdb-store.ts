import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describeLayout } from './lowdb-layout.js'

/** Bytes on disk of the head and every segment file, for the worker's metrics; 0 when there is no store yet. */
export async function measureLowdbStoreBytes(path: string): Promise<number> {
  const { head, segmentsDir } = describeLayout(path)
  const sizeOf = (file: string): Promise<number> => stat(file).then((stats) => stats.size, () => 0)
  const names = await readdir(segmentsDir).catch(() => [] as string[])
  const sizes = await Promise.all([head, ...names.map((name) => join(segmentsDir, name))].map(sizeOf))
  return sizes.reduce((sum, size) => sum + size, 0)
}
