import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'

/** Every file under `dir` as a path relative to it, sorted; none when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

/** Relative path → bytes of every file under `dir`. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (const name of await listFiles(dir)) files.set(name, await readFile(join(dir, name)))
  return files
}

/** Relative path → sha256 of every file under `dir`. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const [name, bytes] of await readTree(dir)) hashes[name] = createHash('sha256').update(bytes).digest('hex')
  return hashes
}

/** Relative path → mtime of every file under `dir`: a file rewritten with the same bytes still shows. */
export async function mtimeTree(dir: string): Promise<Record<string, number>> {
  const times: Record<string, number> = {}
  for (const name of await listFiles(dir)) times[name] = (await stat(join(dir, name))).mtimeMs
  return times
}
