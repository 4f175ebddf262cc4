import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PublishError } from '../errors.js'

export type WriteOutcome = 'written' | 'unchanged'

/**
 * Replaces `file` with `text` (UTF-8) unless it already holds exactly those bytes, in which case it
 * is not touched, so its mtime and the ETag a static host derives from it stay the same. The new
 * bytes go to a temp file in the same directory and are renamed over the old file, so a reader
 * never sees a half-written feed.
 */
export async function writeIfChanged(file: string, text: string): Promise<WriteOutcome> {
  const bytes = Buffer.from(text, 'utf8')
  const existing = await readExisting(file)
  if (existing?.equals(bytes)) return 'unchanged'
  const tempFile = `${file}.${process.pid}.tmp`
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(tempFile, bytes)
    await rename(tempFile, file)
    return 'written'
  } catch (cause) {
    // Best effort: the write error is the one to report (the directory may not even exist).
    await rm(tempFile, { force: true }).catch(() => undefined)
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
