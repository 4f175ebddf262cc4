import { copyFile, mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Adapter, Low } from 'lowdb'
import { TextFile } from 'lowdb/node'
import { StoreError } from '../errors.js'
import { createEmptyStoreData, parseStoreData, serializeStoreData, type StoreData } from './store-data.js'

/** The store's JSON file: read once, then written only when its text would change. */
export interface StoreFile {
  /** The stored data, or empty data when the file does not exist yet. */
  read(): Promise<StoreData>
  /** @returns true when the file was written, false when it already held these bytes. */
  write(data: StoreData): Promise<boolean>
  /** Whether the file already holds exactly this data's text (write would do nothing). */
  holds(data: StoreData): boolean
}

/**
 * lowdb's TextFile writes through steno: a temp file `.<name>.tmp` in the same folder, then
 * rename. steno does not fsync the temp file or the folder, so a power cut (not a crash) can
 * still lose the last write on some filesystems; `<path>.bak` keeps the generation before it.
 */
export function createStoreFile(path: string): StoreFile {
  const textFile = new TextFile(path)
  // The exact text on disk, as last read or written; null while there is no file.
  let diskText: string | null = null
  const adapter: Adapter<StoreData> = {
    async read() {
      diskText = await readText(textFile, path)
      return diskText === null ? null : parseStoreData(diskText, path)
    },
    async write(data) {
      const text = serializeStoreData(data)
      if (text === diskText) return
      await replaceFile(textFile, path, text, diskText !== null)
      diskText = text
    },
  }
  const db = new Low<StoreData>(adapter, createEmptyStoreData())
  return {
    async read() {
      await db.read()
      return db.data
    },
    holds: (data) => serializeStoreData(data) === diskText,
    async write(data) {
      const before = diskText
      db.data = data
      await db.write()
      return diskText !== before
    },
  }
}

async function readText(textFile: TextFile, path: string): Promise<string | null> {
  try {
    return await textFile.read()
  } catch (cause) {
    throw new StoreError('E_STORE_IO', `cannot read store ${path}`, { cause })
  }
}

async function replaceFile(textFile: TextFile, path: string, text: string, hasPrevious: boolean): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true })
    // A copy, not a rename, so that `path` itself never goes missing between the two steps; copied
    // to a temp file and renamed, so that a full disk or a kill mid-copy leaves the old .bak whole.
    if (hasPrevious) {
      await copyFile(path, `${path}.bak.tmp`)
      await rename(`${path}.bak.tmp`, `${path}.bak`)
    }
    await textFile.write(text)
  } catch (cause) {
    await rm(`${path}.bak.tmp`, { force: true }).catch(() => undefined)
    throw new StoreError('E_STORE_IO', `cannot write store ${path}`, { cause })
  }
}
