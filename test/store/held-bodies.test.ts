import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import type { NormalizedEntry } from '../../src/types.js'
import { listFiles } from '../helpers/file-tree.js'
import { createEntry, readStoreSnapshot, useTempStorePath } from './store-test-helpers.js'

const T0 = new Date('2022-01-11T06:00:00.000Z')

/** `count` entries with infoCodes `<prefix>0…`, on January `day` 2022, each in its own hour, so each in its own segment. */
function entries(prefix: string, count: number, day = 9): NormalizedEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const code = `${prefix}${index}`
    return createEntry({ key: `infocode:${code}`, aliases: [`guid:${code}`], infoCode: code, title: code, published: new Date(Date.UTC(2022, 0, day, index)).toISOString() })
  })
}

const spillFiles = async (path: string): Promise<string[]> => (await listFiles(join(path, '..', 'db.segments'))).filter((name) => name.startsWith('spill.'))

describe('lowdb store bodies written ahead of the commit', () => {
  const current = useTempStorePath()

  /** A store with three committed items, KEPT0… */
  const commitKept = async (): Promise<void> => {
    const store = await openStore({ path: current.path })
    await store.upsert(entries('KEPT', 3, 8), T0)
    await store.commit()
    await store.close()
  }

  // A node process starts with tsx: seconds on a busy machine.
  it('leaves the last commit readable and whole when the process is killed after writing bodies ahead, and the next commit removes them', async () => {
    await commitKept()
    const before = await readStoreSnapshot(current.path)
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./write-ahead-in-child.ts', import.meta.url).pathname, current.path, '6'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const line = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()
    expect(line.value).toBe('written ahead')
    const written = await spillFiles(current.path)
    child.kill('SIGKILL')
    await once(child, 'exit')

    const afterKill = await readStoreSnapshot(current.path)
    const reader = await openStore({ path: current.path, lock: false })
    const problems = await reader.check()
    await reader.close()
    const next = await openStore({ path: current.path })
    await next.upsert(entries('NEXT', 1), T0)
    await next.commit()
    const afterNext = { problems: await next.check(), spill: await spillFiles(current.path), items: (await next.newestItems({ limit: 20 })).map((item) => item.title) }
    await next.close()

    expect(written).toHaveLength(1)
    expect(afterKill).toEqual(before)
    expect(problems).toEqual([expect.stringMatching(new RegExp(`${written[0]}: named by neither .* \\(left by an interrupted commit; the next commit removes it\\)$`))])
    expect(afterNext).toEqual({ problems: [], spill: [], items: ['NEXT0', 'KEPT2', 'KEPT1', 'KEPT0'] })
  }, 60_000)

  it('leaves nothing of a cycle that failed before its commit once the handle is closed', async () => {
    await commitKept()
    const before = await readStoreSnapshot(current.path)
    const failing = await openStore({ path: current.path, heldBodies: 1 })
    await failing.upsert([...entries('NEW', 6), createEntry({ ...entries('KEPT', 1, 8)[0], sourceId: 'nbd' })], T0)
    const read = (await failing.newestItems({ limit: 20 })).map((item) => [item.title, item.sources.join()])
    const written = await spillFiles(current.path)
    await failing.close()

    const reader = await openStore({ path: current.path, lock: false })
    const problems = await reader.check()
    await reader.close()

    expect(written).toHaveLength(1)
    // What was written ahead reads back: the new items, and the known one with its second source.
    expect(read).toEqual([
      ...['NEW5', 'NEW4', 'NEW3', 'NEW2', 'NEW1', 'NEW0'].map((title) => [title, 'em-list']),
      ['KEPT2', 'em-list'],
      ['KEPT1', 'em-list'],
      ['KEPT0', 'em-list,nbd'],
    ])
    expect(await spillFiles(current.path)).toEqual([])
    expect(problems).toEqual([])
    expect(await readStoreSnapshot(current.path)).toEqual(before)
  })
})
