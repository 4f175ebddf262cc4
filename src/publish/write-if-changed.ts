import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { PublishError } from '../errors.js'
import { writeFileAtomic } from '../fsx/write-file-atomic.js'

export type WriteOutcome = 'written' | 'unchanged'

/**
 * Replaces `file` with `text` (UTF-8) unless it already holds exactly those bytes, in which case it
 * is not touched, so its mtime and the ETag a static host derives from it stay the same. The new
 * bytes are written atomically (write-file-atomic.ts), so a reader never sees a half-written feed.
 * With `dryRun`, only compares: 'written' then means "would be".
 */
export async function writeIfChanged(file: string, text: string, options: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
  const bytes = Buffer.from(text, 'utf8')
  const existing = await readExisting(file)
  if (existing?.equals(bytes)) return 'unchanged'
  if (options.dryRun) return 'written'
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFileAtomic(file, bytes)
    return 'written'
  } catch (cause) {
    throw new PublishError('E_PUBLISH_IO', `cannot write ${file}: ${messageOf(cause)}`, { cause })
  }
}

async function readExisting(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file)
  } catch (cause) {
    if (isMissingFile(cause)) return undefined
    throw new PublishError('E_PUBLISH_IO', `cannot read ${file}: ${messageOf(cause)}`, { cause })
  }
}

function isMissingFile(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
