import { spawn } from 'node:child_process'
import { access, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireStoreLock, type LockOwner, openStore, StoreLockedError } from '../../src/store/open-store.js'
import { createTempDir, removeTempDir } from './store-test-helpers.js'

let dir: string
let path: string
beforeEach(async () => {
  dir = await createTempDir()
  path = join(dir, 'db.json')
})
afterEach(async () => {
  await removeTempDir(dir)
})

async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('exit', resolve))
  if (child.pid === undefined) throw new Error('node did not start')
  return child.pid
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

describe('openStore: the lock', () => {
  it('writes <path>.lock with its pid and a timestamp', async () => {
    const store = await openStore({ path })

    const lock = JSON.parse(await readFile(`${path}.lock`, 'utf8'))
    await store.close()

    expect(lock).toEqual({ pid: process.pid, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
  })

  it('refuses a second open while the lock is held, naming the pid and the lock path', async () => {
    const first = await openStore({ path })

    const second = openStore({ path })

    await expect(second).rejects.toMatchObject({ code: 'E_STORE_LOCKED' })
    await expect(second).rejects.toThrow(String(process.pid))
    await expect(second).rejects.toThrow(`${path}.lock`)
    await first.close()
  })

  it('removes the lock on close so the store can be opened again', async () => {
    const first = await openStore({ path })
    await first.close()

    const second = await openStore({ path })
    await second.close()

    expect(await exists(`${path}.lock`)).toBe(false)
  })

  it('takes over a lock left by a process that has exited', async () => {
    const deadPid = await pidOfExitedProcess()
    await writeFile(`${path}.lock`, JSON.stringify({ pid: deadPid, createdAt: '2022-01-11T00:00:00.000Z' }))

    const store = await openStore({ path })

    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid })
    await store.close()
  })

  it('opens without the lock when lock is false', async () => {
    const writer = await openStore({ path })

    const reader = await openStore({ path, lock: false })
    await reader.close()

    expect(await exists(`${path}.lock`)).toBe(true)
    await writer.close()
  })

  it('releases the lock when the file turns out to be corrupt', async () => {
    await writeFile(path, 'not json')

    await expect(openStore({ path })).rejects.toMatchObject({ code: 'E_STORE_CORRUPT' })

    expect(await exists(`${path}.lock`)).toBe(false)
  })
})

describe('acquireStoreLock: holder and waiting', () => {
  it('writes the holder into the lock for others to name', async () => {
    const lock = await acquireStoreLock(path, { holder: 'feedloom start' })

    const owner = JSON.parse(await readFile(`${path}.lock`, 'utf8'))
    await lock.release()

    expect(owner).toMatchObject({ pid: process.pid, holder: 'feedloom start' })
  })

  it('refuses with a StoreLockedError naming holder, pid and since when', async () => {
    const first = await acquireStoreLock(path, { holder: 'feedloom start' })

    const second = acquireStoreLock(path)

    await expect(second).rejects.toBeInstanceOf(StoreLockedError)
    await expect(second).rejects.toThrow(/^store is in use by feedloom start \(pid \d+, since \d{4}-\d\d-\d\dT.*\)$/)
    await first.release()
  })

  it('waits for the holder to let go when given waitMs', async () => {
    const first = await acquireStoreLock(path)
    setTimeout(() => void first.release(), 200)

    const second = await acquireStoreLock(path, { waitMs: 5000, pollMs: 20 })

    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid })
    await second.release()
  })

  it('tells onWait once who it is waiting for', async () => {
    const first = await acquireStoreLock(path, { holder: 'feedloom run' })
    setTimeout(() => void first.release(), 100)
    const owners: (LockOwner | undefined)[] = []

    const second = await acquireStoreLock(path, { waitMs: 5000, pollMs: 10, onWait: (owner) => owners.push(owner) })
    await second.release()

    expect(owners).toEqual([{ pid: process.pid, createdAt: expect.any(String), holder: 'feedloom run' }])
  })

  it('gives up after waitMs, saying how long it waited', async () => {
    const first = await acquireStoreLock(path)

    const second = acquireStoreLock(path, { waitMs: 1000, pollMs: 50 })

    await expect(second).rejects.toMatchObject({ code: 'E_STORE_LOCKED', waitedMs: expect.any(Number) })
    await expect(second).rejects.toThrow(/after waiting 1 s$/)
    await first.release()
  })

  it('stops waiting when the signal aborts', async () => {
    const first = await acquireStoreLock(path)
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 50)
    const startedMs = Date.now()

    await expect(acquireStoreLock(path, { waitMs: 60_000, signal: stop.signal })).rejects.toBeInstanceOf(StoreLockedError)

    expect(Date.now() - startedMs).toBeLessThan(5000)
    await first.release()
  })

  it('removes the folder it created for the lock when nothing else was put there', async () => {
    const nested = join(dir, 'store', 'db.json')
    const lock = await acquireStoreLock(nested)

    await lock.release()

    expect(await readdir(dir)).toEqual([])
  })
})

describe('acquireStoreLock: a lock that cannot be read', () => {
  it('takes over an empty lock once it is older than any write could take', async () => {
    await writeFile(`${path}.lock`, '')
    const elevenSecondsAgo = new Date(Date.now() - 11_000)
    await utimes(`${path}.lock`, elevenSecondsAgo, elevenSecondsAgo)

    const lock = await acquireStoreLock(path)
    const owner = JSON.parse(await readFile(`${path}.lock`, 'utf8')) as LockOwner
    await lock.release()

    expect(owner.pid).toBe(process.pid)
  })

  it('refuses an unreadable lock that was written just now', async () => {
    await writeFile(`${path}.lock`, '')

    await expect(acquireStoreLock(path)).rejects.toBeInstanceOf(StoreLockedError)
  })

  it('leaves no temp file beside the lock it took', async () => {
    const lock = await acquireStoreLock(path)
    const files = await readdir(dir)
    await lock.release()

    expect(files).toEqual(['db.json.lock'])
  })
})
