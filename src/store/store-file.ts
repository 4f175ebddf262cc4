import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Adapter, Low } from 'lowdb'
import { TextFile } from 'lowdb/node'
import { StoreError } from '../errors.js'
import {
  createEmptyStoreData,
  parseStoreData,
  parseStoreHead,
  serializeStoreData,
  type StoreData,
  type StoreHead,
} from './store-data.js'

/** The store's JSON file: read once, then written only when its text would change. */
export interface StoreFile {
  /**
   * Only the head (sources and retention summary), reading no further into the file than it
   * ends; undefined when the file is missing or not laid out as feedloom writes it (read it whole).
   */
  readHead(): Promise<StoreHead | undefined>
  /** The stored data, or empty data when the file does not exist yet. */
  read(): Promise<StoreData>
  /** @returns true when the file was written, false when it already held these bytes. */
  write(data: StoreData): Promise<boolean>
  /** Whether the file already holds exactly this data's text (write would do nothing). */
  holds(data: StoreData): boolean
  /**
   * Whether the text last read is laid out the way serializeStoreData lays it out (2-space
   * indent, LF, final newline), checked cheaply: its ends, no CR and no tab. False while there is
   * no file. Together with canonical data (readStoreContents) this lets save() skip serializing.
   */
  looksCanonical(): boolean
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
    readHead: () => readHead(path),
    async read() {
      await db.read()
      return db.data
    },
    holds: (data) => serializeStoreData(data) === diskText,
    looksCanonical: () => diskText !== null && looksSerializedByUs(diskText),
    async write(data) {
      const before = diskText
      db.data = data
      await db.write()
      return diskText !== before
    },
  }
}

const CANONICAL_START = '{\n  "version": 1,\n  "sources": '

/**
 * Where the head ends. JSON strings cannot hold a raw newline, and only top-level keys are
 * indented by two spaces, so the first match is the top-level "items" key.
 */
const ITEMS_KEY = Buffer.from(',\n  "items": [')

const HEAD_CHUNK_BYTES = 64 * 1024

/** A head this big is not worth a second read of the same bytes: read the file whole. */
const MAX_HEAD_BYTES = 16 * 1024 * 1024

async function readHead(path: string): Promise<StoreHead | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new StoreError('E_STORE_IO', `cannot read store ${path}`, { cause })
  }
  try {
    let head = Buffer.alloc(0)
    // Doubling, so a big head is copied a bounded number of times.
    for (let chunkBytes = HEAD_CHUNK_BYTES; head.length < MAX_HEAD_BYTES; chunkBytes *= 2) {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(chunkBytes), 0, chunkBytes, head.length)
      if (bytesRead === 0) return undefined
      const searchFrom = Math.max(0, head.length - ITEMS_KEY.length)
      head = Buffer.concat([head, buffer.subarray(0, bytesRead)])
      const end = head.indexOf(ITEMS_KEY, searchFrom)
      if (end !== -1) {
        const text = head.toString('utf8', 0, end)
        return text.startsWith(CANONICAL_START) ? parseStoreHead(`${text}\n}`, path) : undefined
      }
    }
    return undefined
  } catch (cause) {
    if (cause instanceof StoreError) throw cause
    throw new StoreError('E_STORE_IO', `cannot read store ${path}`, { cause })
  } finally {
    await handle.close()
  }
}

function looksSerializedByUs(text: string): boolean {
  return (
    text.startsWith(CANONICAL_START) &&
    text.endsWith('\n}\n') &&
    !text.endsWith('\n\n}\n') &&
    !text.includes('\r') &&
    !text.includes('\t')
  )
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
    if (hasPrevious) await rotateBackup(path)
    // steno writes a temp file and renames it over `path`: `path` gets a new inode, and the .bak
    // keeps the old one.
    await textFile.write(text)
  } catch (cause) {
    await rm(`${path}.bak.tmp`, { force: true }).catch(() => undefined)
    throw new StoreError('E_STORE_IO', `cannot write store ${path}`, { cause })
  }
}

/** Errors from link() that mean "this filesystem cannot hard-link here": copy instead. */
const NO_HARD_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EACCES'])

/**
 * Makes `<path>.bak` the current file: a hard link (no bytes written), else a copy, made as
 * `<path>.bak.tmp` and renamed, so `path` itself never goes missing, and a full disk or a kill
 * midway leaves the old .bak whole. The file at `path` is only ever replaced by rename, never
 * written in place, so the linked .bak keeps the old generation.
 */
async function rotateBackup(path: string): Promise<void> {
  const temp = `${path}.bak.tmp`
  // Left by a killed run; link() will not replace it.
  await rm(temp, { force: true })
  try {
    await link(path, temp)
  } catch (cause) {
    if (!NO_HARD_LINK.has((cause as NodeJS.ErrnoException).code ?? '')) throw cause
    await copyFile(path, temp)
  }
  await rename(temp, `${path}.bak`)
}
