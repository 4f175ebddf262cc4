import { type FileHandle, mkdir, open, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { StoreError } from '../../errors.js'
import type { StoredItem } from '../../types.js'

/** Where one item's JSON line lies in a spill file. */
export interface SpillLocation {
  offset: number
  length: number
}

/**
 * A file a lowdb store writes staged item bodies to before its commit, so that a cycle that stores
 * many items does not hold them all in memory: one JSON object per line, appended, never rewritten.
 * No head ever names it, so a kill leaves an orphan the next commit removes, and the commit stays
 * the one switch (the commit copies the lines into the segment files it writes). It is not flushed
 * to disk: nothing needs its bytes after a crash.
 */
export interface SpillFile {
  /** Appends the items; their locations are known at once, before the bytes are written. */
  append(items: readonly StoredItem[]): Map<string, SpillLocation>
  /** Resolves once every append is on disk (in the page cache); rejects when one could not be written. */
  written(): Promise<void>
  /** The items at `locations`, parsed, in order. */
  read(locations: readonly SpillLocation[]): Promise<StoredItem[]>
  /** The JSON text of the items at `locations` (UTF-8), in order, as serializeItemLines writes each. */
  readLines(locations: readonly SpillLocation[]): Promise<Buffer[]>
  /** Closes and removes the file. */
  remove(): Promise<void>
}

/** Reads of locations closer than this are done as one read: a segment's items are appended together. */
const READ_GAP_BYTES = 64 * 1024

export function createSpillFile(path: string): SpillFile {
  let handle: Promise<FileHandle> | undefined
  let size = 0
  // Appends are written in order; a read waits for the writes before it.
  let writes: Promise<void> = Promise.resolve()
  let failure: unknown

  const fail = (action: string, cause: unknown): StoreError =>
    new StoreError('E_STORE_IO', `cannot ${action} store spill file ${path}: ${(cause as Error).message}`, { cause })

  const opened = (): Promise<FileHandle> =>
    (handle ??= mkdir(dirname(path), { recursive: true }).then(() => open(path, 'w+')))

  const written = async (): Promise<void> => {
    await writes
    if (failure !== undefined) throw fail('write', failure)
  }

  const readBuffers = async (locations: readonly SpillLocation[]): Promise<Buffer[]> => {
    await written()
    const file = await opened()
    const order = locations.map((_, position) => position).sort((a, b) => (locations[a] as SpillLocation).offset - (locations[b] as SpillLocation).offset)
    const result: Buffer[] = new Array(locations.length)
    try {
      for (let start = 0; start < order.length; ) {
        const first = locations[order[start] as number] as SpillLocation
        let end = start + 1
        let until = first.offset + first.length
        for (; end < order.length; end++) {
          const next = locations[order[end] as number] as SpillLocation
          if (next.offset - until > READ_GAP_BYTES) break
          until = Math.max(until, next.offset + next.length)
        }
        const run = Buffer.allocUnsafe(until - first.offset)
        for (let filled = 0; filled < run.length; ) {
          const { bytesRead } = await file.read(run, filled, run.length - filled, first.offset + filled)
          if (bytesRead === 0) throw new Error(`it ends before byte ${first.offset + run.length}`)
          filled += bytesRead
        }
        for (let position = start; position < end; position++) {
          const at = locations[order[position] as number] as SpillLocation
          result[order[position] as number] = run.subarray(at.offset - first.offset, at.offset - first.offset + at.length)
        }
        start = end
      }
    } catch (cause) {
      throw fail('read', cause)
    }
    return result
  }

  return {
    append(items) {
      const locations = new Map<string, SpillLocation>()
      const lines = items.map((item) => {
        const line = Buffer.from(`${JSON.stringify(item)}\n`)
        locations.set(item.id, { offset: size, length: line.length - 1 })
        size += line.length
        return line
      })
      const bytes = Buffer.concat(lines)
      const at = size - bytes.length
      writes = writes.then(async () => {
        if (failure !== undefined) return
        try {
          const file = await opened()
          await file.write(bytes, 0, bytes.length, at)
        } catch (cause) {
          failure = cause
        }
      })
      return locations
    },
    written,
    async read(locations) {
      return (await readBuffers(locations)).map((bytes) => JSON.parse(bytes.toString('utf8')) as StoredItem)
    },
    readLines: readBuffers,
    async remove() {
      await writes
      const file = handle
      handle = undefined
      await file?.then((opened) => opened.close()).catch(() => undefined)
      await rm(path, { force: true })
    },
  }
}
