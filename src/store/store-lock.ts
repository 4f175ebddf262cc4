import { link, mkdir, readFile, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type LockOwner, StoreError, StoreLockedError } from '../errors.js'

export interface StoreLock {
  /** Removes the lock file; safe to call more than once. */
  release(): Promise<void>
}

export interface AcquireStoreLockOptions {
  /** Written into the lock as `holder`, so a second process can say what it is waiting for. */
  holder?: string
  /** Keep trying this long while a live process holds the lock, in ms. @default 0 (fail at once) */
  waitMs?: number
  /** Time between tries while waiting, in ms. @default 250 */
  pollMs?: number
  /** Called once, when waiting starts, with the lock's owner (undefined when it cannot be read). */
  onWait?: (owner: LockOwner | undefined) => void
  /** Stops waiting; the lock error is thrown. */
  signal?: AbortSignal
}

const DEFAULT_POLL_MS = 250

/**
 * Locks are linked into place whole, so one that cannot be read was not written by this version
 * (an older feedloom killed mid-write, a damaged disk); past this age nobody is writing it.
 */
const UNREADABLE_LOCK_STALE_MS = 10_000

/**
 * Takes `<storePath>.lock`, or takes over a lock whose process has exited; with `waitMs`, polls
 * until the holder lets go.
 * @throws StoreLockedError while another live process holds it; StoreError E_STORE_IO otherwise.
 */
export async function acquireStoreLock(storePath: string, options: AcquireStoreLockOptions = {}): Promise<StoreLock> {
  const lockPath = `${storePath}.lock`
  const { waitMs = 0, pollMs = DEFAULT_POLL_MS, signal } = options
  const createdDir = await createLockDir(lockPath)
  const startedMs = Date.now()
  for (let tries = 0; ; tries++) {
    try {
      const lock = await tryAcquire(lockPath, options.holder)
      return {
        async release() {
          await lock.release()
          await removeEmptyDirs(dirname(lockPath), createdDir)
        },
      }
    } catch (err) {
      const waitedMs = Date.now() - startedMs
      const remainingMs = waitMs - waitedMs
      if (!(err instanceof StoreLockedError) || remainingMs <= 0 || signal?.aborted) {
        await removeEmptyDirs(dirname(lockPath), createdDir)
        throw err instanceof StoreLockedError && tries > 0 ? lockedError(lockPath, err.owner, waitedMs) : err
      }
      if (tries === 0) options.onWait?.(err.owner)
      await sleep(Math.min(pollMs, remainingMs), signal)
    }
  }
}

async function tryAcquire(lockPath: string, holder: string | undefined): Promise<StoreLock> {
  if (!(await tryCreateLockFile(lockPath, holder))) {
    const owner = await readLockOwner(lockPath)
    const isStale = owner === undefined ? await isOlderThan(lockPath, UNREADABLE_LOCK_STALE_MS) : !isProcessAlive(owner.pid)
    if (!isStale) throw lockedError(lockPath, owner, 0)
    await removeLockFile(lockPath)
    // Another process may take over the same stale lock at the same moment: 'wx' lets one win.
    if (!(await tryCreateLockFile(lockPath, holder))) throw lockedError(lockPath, await readLockOwner(lockPath), 0)
  }
  return { release: () => removeLockFile(lockPath) }
}

/**
 * Removes the folders the lock created, innermost first, while they are empty: a run that saved
 * nothing (a dry run, a refused config) leaves no trace. Best effort.
 */
async function removeEmptyDirs(innermost: string, topmost: string | undefined): Promise<void> {
  if (topmost === undefined) return
  for (let dir = innermost; dir.startsWith(topmost); dir = dirname(dir)) {
    try {
      await rmdir(dir)
    } catch {
      return
    }
    if (dir === topmost) return
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolveSleep) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolveSleep()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** @returns the topmost folder it created, if any */
async function createLockDir(lockPath: string): Promise<string | undefined> {
  try {
    return await mkdir(dirname(lockPath), { recursive: true })
  } catch (cause) {
    throw new StoreError('E_STORE_IO', `cannot create the folder for lock ${lockPath}`, { cause })
  }
}

/**
 * Writes the owner whole to a temp file and links it into place: link() fails when the lock
 * exists, and a kill at any moment leaves either no lock or a whole one. (Opening the lock with
 * 'wx' and then writing could leave an empty lock that no later run can tell is stale.)
 * @returns false when the lock file already exists.
 */
async function tryCreateLockFile(lockPath: string, holder: string | undefined): Promise<boolean> {
  const owner: LockOwner = { pid: process.pid, createdAt: new Date().toISOString(), ...(holder === undefined ? {} : { holder }) }
  const tempPath = `${lockPath}.${process.pid}.tmp`
  try {
    await writeFile(tempPath, `${JSON.stringify(owner)}\n`)
    await link(tempPath, lockPath)
    return true
  } catch (cause) {
    if (hasErrorCode(cause, 'EEXIST')) return false
    throw new StoreError('E_STORE_IO', `cannot create lock ${lockPath}`, { cause })
  } finally {
    await unlink(tempPath).catch(() => undefined)
  }
}

/** @returns undefined when the file is gone or unreadable (possibly being written right now). */
async function readLockOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner: unknown = JSON.parse(await readFile(lockPath, 'utf8'))
    if (!isLockOwner(owner)) return undefined
    const { pid, createdAt, holder } = owner
    return typeof holder === 'string' ? { pid, createdAt, holder } : { pid, createdAt }
  } catch {
    return undefined
  }
}

function isLockOwner(value: unknown): value is LockOwner {
  if (typeof value !== 'object' || value === null) return false
  const { pid, createdAt } = value as Record<string, unknown>
  return Number.isInteger(pid) && (pid as number) > 0 && typeof createdAt === 'string'
}

async function isOlderThan(path: string, ageMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ageMs
  } catch {
    return false
  }
}

/** Signal 0 checks for existence only; EPERM means alive but owned by another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return !hasErrorCode(err, 'ESRCH')
  }
}

async function removeLockFile(lockPath: string): Promise<void> {
  try {
    await unlink(lockPath)
  } catch (cause) {
    if (hasErrorCode(cause, 'ENOENT')) return
    throw new StoreError('E_STORE_IO', `cannot remove lock ${lockPath}`, { cause })
  }
}

function lockedError(lockPath: string, owner: LockOwner | undefined, waitedMs: number): StoreLockedError {
  return new StoreLockedError(describeLocked(lockPath, owner, waitedMs), { lockPath, owner, waitedMs })
}

function describeLocked(lockPath: string, owner: LockOwner | undefined, waitedMs: number): string {
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : ''
  if (owner === undefined) {
    return `store is locked${waited}: ${lockPath} exists but cannot be read; if no feedloom is running, delete it`
  }
  const holder = owner.holder ?? 'another feedloom process'
  return `store is in use by ${holder} (pid ${owner.pid}, since ${owner.createdAt}; lock ${lockPath})${waited}`
}

function hasErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
