import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PublishError } from '../errors.js'

export type WriteOutcome = 'written' | 'unchanged'

/**
 * Replaces `file` with `text` (UTF-8) unless it already holds exactly those bytes, in which case it
 * is not touched, so its mtime and the ETag a static host derives from it stay the same. The new
 * bytes go to a temp file in the same directory and are renamed over the old file, so a reader
 * never sees a half-written feed. With `dryRun`, only compares: 'written' then means "would be".
 */
export async function writeIfChanged(file: string, text: string, options: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
  const bytes = Buffer.from(text, 'utf8')
  const existing = await readExisting(file)
  if (existing?.equals(bytes)) return 'unchanged'
  if (options.dryRun) return 'written'
  const tempFile = `${file}.${process.pid}.tmp`
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await removeStaleTempFiles(file)
    await writeFile(tempFile, bytes)
    await rename(tempFile, file)
    return 'written'
  } catch (cause) {
    // Best effort: the write error is the one to report (the directory may not even exist).
    await rm(tempFile, { force: true }).catch(() => undefined)
    throw new PublishError('E_PUBLISH_IO', `cannot write ${file}: ${messageOf(cause)}`, { cause })
  }
}

/**
 * A writer killed between writeFile and rename (SIGKILL, the OOM killer, a power cut) leaves
 * `<file>.<pid>.tmp` beside the published file, where a static host would serve it. The next
 * writer of the same file removes those of processes that no longer run.
 */
async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file)
  const prefix = `${path.basename(file)}.`
  for (const name of await readdir(dir)) {
    const pid = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined
    if (pid !== undefined && Number(pid) !== process.pid && !isProcessAlive(Number(pid))) {
      await rm(path.join(dir, name), { force: true })
    }
  }
}

/** Signal 0 checks for existence only; EPERM means alive but owned by another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return !(err instanceof Error && 'code' in err && err.code === 'ESRCH')
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
