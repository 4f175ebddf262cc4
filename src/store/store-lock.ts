import { mkdir, open, readFile, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { StoreError } from '../errors.js'

export interface StoreLock {
  /** Removes the lock file; safe to call more than once. */
  release(): Promise<void>
}

interface LockOwner {
  pid: number
  createdAt: string
}

/**
 * Takes `<storePath>.lock`, or takes over a lock whose process has exited.
 * @throws StoreError E_STORE_LOCKED while another live process holds it, E_STORE_IO otherwise.
 */
export async function acquireStoreLock(storePath: string): Promise<StoreLock> {
  const lockPath = `${storePath}.lock`
  await createLockDir(lockPath)
  if (!(await tryCreateLockFile(lockPath))) {
    const owner = await readLockOwner(lockPath)
    if (owner === undefined || isProcessAlive(owner.pid)) throw createLockedError(lockPath, owner)
    await removeLockFile(lockPath)
    // Another process may take over the same stale lock at the same moment: 'wx' lets one win.
    if (!(await tryCreateLockFile(lockPath))) throw createLockedError(lockPath, await readLockOwner(lockPath))
  }
  return { release: () => removeLockFile(lockPath) }
}

async function createLockDir(lockPath: string): Promise<void> {
  try {
    await mkdir(dirname(lockPath), { recursive: true })
  } catch (cause) {
    throw new StoreError('E_STORE_IO', `cannot create the folder for lock ${lockPath}`, { cause })
  }
}

/** @returns false when the lock file already exists. */
async function tryCreateLockFile(lockPath: string): Promise<boolean> {
  const owner: LockOwner = { pid: process.pid, createdAt: new Date().toISOString() }
  try {
    const handle = await open(lockPath, 'wx')
    try {
      await handle.writeFile(`${JSON.stringify(owner)}\n`)
    } finally {
      await handle.close()
    }
    return true
  } catch (cause) {
    if (hasErrorCode(cause, 'EEXIST')) return false
    throw new StoreError('E_STORE_IO', `cannot create lock ${lockPath}`, { cause })
  }
}

/** @returns undefined when the file is gone or unreadable (possibly being written right now). */
async function readLockOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner: unknown = JSON.parse(await readFile(lockPath, 'utf8'))
    return isLockOwner(owner) ? owner : undefined
  } catch {
    return undefined
  }
}

function isLockOwner(value: unknown): value is LockOwner {
  if (typeof value !== 'object' || value === null) return false
  const { pid, createdAt } = value as Record<string, unknown>
  return Number.isInteger(pid) && (pid as number) > 0 && typeof createdAt === 'string'
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

function createLockedError(lockPath: string, owner: LockOwner | undefined): StoreError {
  const holder =
    owner === undefined
      ? `an unreadable lock ${lockPath}`
      : `process ${owner.pid} (lock ${lockPath}, taken ${owner.createdAt})`
  return new StoreError(
    'E_STORE_LOCKED',
    `store is locked by ${holder}; if no feedloom is running, delete ${lockPath}`,
  )
}

function hasErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
