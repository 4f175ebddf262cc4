import { afterEach, describe, expect, it } from 'vitest'
import { createThreadPool, type ThreadPool } from '../../src/threads/create-thread-pool.js'
import type { TestTask } from './test-thread.js'

const entry = new URL('./test-thread.ts', import.meta.url)

let pool: ThreadPool<TestTask, string> | undefined

afterEach(async () => {
  await pool?.close()
  pool = undefined
})

function createPool(options: { taskDeadlineMs?: number; maxHeapMb?: number; threads?: number } = {}) {
  pool = createThreadPool<TestTask, string>({ entry, threads: 1, taskDeadlineMs: 5_000, maxHeapMb: 64, ...options })
  return pool
}

async function failureOf(promise: Promise<unknown>): Promise<{ code?: unknown; message?: unknown }> {
  const err = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(err instanceof Error)) throw new Error(`expected a rejection, got ${String(err)}`)
  return { code: (err as { code?: unknown }).code, message: err.message }
}

describe('createThreadPool', () => {
  it("returns a task's result and reuses the thread for the next task", async () => {
    const threads = createPool()

    expect(await Promise.all([threads.run({ kind: 'echo', text: 'a' }), threads.run({ kind: 'echo', text: 'b' })])).toEqual(['A', 'B'])
  })

  it('lets a task ask the main thread and go on with its answer, or with its refusal as an error', async () => {
    const threads = createPool()
    const answer = async (question: unknown) => {
      if (question === 'secret') throw new Error('not telling')
      return String(question).length
    }

    expect(await threads.run({ kind: 'ask', question: 'how long' }, { answer })).toBe('main thread says 8')
    expect(await failureOf(threads.run({ kind: 'ask', question: 'secret' }, { answer }))).toEqual({ code: undefined, message: 'not telling' })
  })

  it("rejects with the task's own error code and message", async () => {
    const threads = createPool()

    expect(await failureOf(threads.run({ kind: 'throw', message: 'no body found' }))).toEqual({ code: 'E_PARSE_EXTRACT', message: 'no body found' })
  })

  it('stops a task that never yields at its deadline, then runs the next task on a new thread', async () => {
    const threads = createPool({ taskDeadlineMs: 300 })

    const stuck = failureOf(threads.run({ kind: 'spin' }))
    const next = threads.run({ kind: 'echo', text: 'after' })

    expect(await stuck).toEqual({ code: 'E_THREAD_TIMEOUT', message: 'ran longer than 300 ms and was stopped' })
    expect(await next).toBe('AFTER')
  })

  it('stops a task that needs more memory than its limit', async () => {
    const threads = createPool({ maxHeapMb: 32, taskDeadlineMs: 15_000 })

    expect(await failureOf(threads.run({ kind: 'allocate' }))).toEqual({
      code: 'E_THREAD_MEMORY',
      message: 'needed more than 32 MB of memory and was stopped',
    })
    expect(await threads.run({ kind: 'echo', text: 'still here' })).toBe('STILL HERE')
  })

  it('fails a task whose thread dies, and keeps serving', async () => {
    const threads = createPool()

    expect(await failureOf(threads.run({ kind: 'exit' }))).toEqual({ code: 'E_THREAD_CRASHED', message: 'exited with code 3' })
    expect(await threads.run({ kind: 'echo', text: 'ok' })).toBe('OK')
  })

  it('stops a running task when its signal aborts, and drops a waiting one', async () => {
    const threads = createPool()
    const controller = new AbortController()

    const running = failureOf(threads.run({ kind: 'spin' }, { signal: controller.signal }))
    const waiting = failureOf(threads.run({ kind: 'echo', text: 'never' }, { signal: controller.signal }))
    controller.abort(new Error('cycle deadline passed'))

    expect(await running).toEqual({ code: undefined, message: 'cycle deadline passed' })
    expect(await waiting).toEqual({ code: undefined, message: 'cycle deadline passed' })
    expect(await threads.run({ kind: 'echo', text: 'next' })).toBe('NEXT')
  })
})
