import { readFile } from 'node:fs/promises'
import { type Adapter, Low } from 'lowdb'
import { writeFileAtomic } from '../../fsx/write-file-atomic.js'

/**
 * One JSON file of the lowdb store, read and written through lowdb with an adapter that writes
 * atomically (write-file-atomic.ts: dot file, fsync, rename) and keeps the text as laid out by
 * `serialize`, so unchanged data keeps its bytes. The folder is not flushed per file: a commit
 * flushes each of its folders once, after all its files.
 */
export interface JsonFile<T> {
  /** The parsed data, or undefined when the file does not exist. Throws the file system's or JSON's error. */
  read(): Promise<T | undefined>
  write(data: T): Promise<void>
}

export function createJsonFile<T>(path: string, serialize: (data: T) => string | Uint8Array): JsonFile<T> {
  const adapter: Adapter<T> = {
    async read() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
      return JSON.parse(text) as T
    },
    write: (data) => writeFileAtomic(path, serialize(data), { syncDir: false }),
  }
  const db = new Low<T | null>(adapter as Adapter<T | null>, null)
  return {
    async read() {
      await db.read()
      return db.data ?? undefined
    },
    async write(data) {
      db.data = data
      await db.write()
    },
  }
}

/** Two-space JSON with a final newline: the index head, which people read. */
export function serializeIndented(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`
}

/** `{ "items": [` then one item per line: compact, and still readable line by line. */
export function serializeItemLines(data: { items: readonly unknown[] }): string {
  if (data.items.length === 0) return '{"items":[]}\n'
  return `{"items":[\n${data.items.map((item) => JSON.stringify(item)).join(',\n')}\n]}\n`
}

/**
 * The bytes serializeItemLines writes, from items already serialized (one JSON text each, UTF-8),
 * without making one string of them all.
 */
export function joinItemLines(lines: readonly Uint8Array[]): Buffer {
  if (lines.length === 0) return Buffer.from(serializeItemLines({ items: [] }))
  const separator = Buffer.from(',\n')
  return Buffer.concat([Buffer.from('{"items":[\n'), ...lines.flatMap((line, position) => (position === 0 ? [line] : [separator, line])), Buffer.from('\n]}\n')])
}
