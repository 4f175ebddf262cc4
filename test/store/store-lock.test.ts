import { spawn } from 'node:child_process'
import { access, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
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
