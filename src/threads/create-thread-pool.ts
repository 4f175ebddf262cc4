import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { type ErrorCode, FeedloomError, ThreadError } from '../errors.js'
import type { ThreadReplyMessage, ThreadTaskMessage } from './serve-thread-tasks.js'

export interface ThreadPoolOptions {
  /** The module each thread runs; it calls serveThreadTasks. A `.ts` module (tests, tsx) is loaded through tsx. */
  entry: URL
  /** Threads at most; further tasks wait, first come first served. */
  threads: number
  /** A task still running this long after it started is stopped by terminating its thread. In ms. */
  taskDeadlineMs: number
  /** Heap one thread may use (V8 old generation), in MB: a thread that needs more is terminated. */
  maxHeapMb: number
  /**
   * A thread's young generation (V8 new space), in MB: what it allocates between two scavenges. V8
   * gives each thread 32 MB of it, most of it garbage that a smaller one collects sooner.
   * @default V8's
   */
  maxYoungHeapMb?: number
}

export interface ThreadPool<Task, Result> {
  /**
   * Runs `task` on a free thread (started on first need, reused after). Rejects with a ThreadError
   * (E_THREAD_TIMEOUT, E_THREAD_MEMORY, E_THREAD_CRASHED) when its thread is stopped or dies, with
   * the task's own error (code and message) when the task throws, and with `signal.reason` when
   * `signal` aborts first: a running task's thread is then terminated.
   */
  run(task: Task, options?: RunOptions): Promise<Result>
  /** Whether a thread is loaded and free, so that a task run now starts at once. */
  hasIdleThread(): boolean
  /** Whether a task run now, finding no thread free, would start one rather than wait for a busy one. */
  canStartThread(): boolean
  /** Threads started so far, those that ended included. */
  startedThreads(): number
  /** Terminates every thread; tasks still waiting or running reject. */
  close(): Promise<void>
}

export interface RunOptions {
  signal?: AbortSignal
  /** Answers the questions the task asks the main thread (serveThreadTasks' `ask`); a rejection rejects the ask. */
  answer?: (question: unknown) => Promise<unknown>
}

interface Job<Task, Result> {
  task: Task
  signal: AbortSignal | undefined
  answer: RunOptions['answer']
  resolve(result: Result): void
  reject(reason: unknown): void
}

interface Slot<Task, Result> {
  worker: Worker
  /** Loaded and listening: a task's deadline runs from when the thread receives it, not from its start-up. */
  ready: boolean
  job?: Job<Task, Result>
  taskId?: number
  timer?: NodeJS.Timeout
  /** Why the pool terminated this thread; absent when it died on its own. */
  stopReason?: unknown
  /** The last error the thread reported (an uncaught exception, running out of memory). */
  error?: Error
}

/**
 * Work that may hang or exhaust memory (parsing pages from strangers) runs on worker threads, so
 * the main thread keeps serving every other source's deadlines; a thread past its deadline or
 * its heap limit is terminated, which stops even a loop that never yields.
 */
export function createThreadPool<Task, Result>(options: ThreadPoolOptions): ThreadPool<Task, Result> {
  const waiting: Job<Task, Result>[] = []
  const idle: Slot<Task, Result>[] = []
  const live = new Set<Slot<Task, Result>>()
  let lastTaskId = 0
  let started = 0
  let closed = false

  const settle = (slot: Slot<Task, Result>): Job<Task, Result> | undefined => {
    const { job } = slot
    clearTimeout(slot.timer)
    slot.job = undefined
    slot.taskId = undefined
    return job
  }

  const stop = (slot: Slot<Task, Result>, reason: unknown): void => {
    slot.stopReason ??= reason
    void slot.worker.terminate()
  }

  const start = (slot: Slot<Task, Result>, job: Job<Task, Result>): void => {
    slot.job = job
    // A busy thread keeps the process alive; an idle one must not.
    slot.worker.ref()
    if (slot.ready) send(slot, job)
  }

  const send = (slot: Slot<Task, Result>, job: Job<Task, Result>): void => {
    lastTaskId += 1
    slot.taskId = lastTaskId
    const deadlineMs = options.taskDeadlineMs
    slot.timer = setTimeout(() => stop(slot, new ThreadError('E_THREAD_TIMEOUT', `ran longer than ${deadlineMs} ms and was stopped`)), deadlineMs)
    const message: ThreadTaskMessage<Task> = { id: lastTaskId, task: job.task }
    slot.worker.postMessage(message)
  }

  const answerQuestion = (slot: Slot<Task, Result>, id: number, question: unknown): void => {
    const answer = slot.job?.answer
    const asked = answer === undefined ? Promise.reject(new Error('this task may not ask the main thread anything')) : answer(question)
    asked.then(
      (value) => slot.taskId === id && slot.worker.postMessage({ id, answer: value } satisfies ThreadTaskMessage<Task>),
      (err: unknown) => slot.taskId === id && slot.worker.postMessage({ id, answerError: err instanceof Error ? err.message : String(err) } satisfies ThreadTaskMessage<Task>),
    )
  }

  const dispatch = (): void => {
    while (!closed && waiting.length > 0) {
      const slot = idle.pop() ?? (live.size < options.threads ? spawn() : undefined)
      if (slot === undefined) return
      start(slot, waiting.shift() as Job<Task, Result>)
    }
  }

  const spawn = (): Slot<Task, Result> => {
    const slot: Slot<Task, Result> = { worker: startThread(options), ready: false }
    started += 1
    live.add(slot)
    slot.worker.on('message', (reply: ThreadReplyMessage<Result>) => {
      if ('ready' in reply) {
        slot.ready = true
        if (slot.job !== undefined) send(slot, slot.job)
        else {
          slot.worker.unref()
          idle.push(slot)
          dispatch()
        }
        return
      }
      if (reply.id !== slot.taskId) return
      if ('question' in reply) {
        answerQuestion(slot, reply.id, reply.question)
        return
      }
      const job = settle(slot)
      slot.worker.unref()
      idle.push(slot)
      if (reply.ok) job?.resolve(reply.result)
      else job?.reject(toTaskError(reply.error))
      dispatch()
    })
    slot.worker.on('error', (err) => (slot.error = err))
    slot.worker.on('exit', (exitCode) => {
      live.delete(slot)
      const idleAt = idle.indexOf(slot)
      if (idleAt !== -1) idle.splice(idleAt, 1)
      settle(slot)?.reject(slot.stopReason ?? toDeathError(slot.error, exitCode, options.maxHeapMb))
      dispatch()
    })
    return slot
  }

  return {
    run(task, { signal, answer } = {}) {
      if (closed) return Promise.reject(new ThreadError('E_THREAD_CRASHED', 'the thread pool is closed'))
      if (signal?.aborted) return Promise.reject(signal.reason)
      return new Promise<Result>((resolve, reject) => {
        const onAbort = (): void => {
          const queued = waiting.indexOf(job)
          if (queued !== -1) {
            waiting.splice(queued, 1)
            reject(signal?.reason)
            return
          }
          const running = [...live].find((slot) => slot.job === job)
          if (running !== undefined) stop(running, signal?.reason)
        }
        const job: Job<Task, Result> = {
          task,
          signal,
          answer,
          resolve: (result) => {
            signal?.removeEventListener('abort', onAbort)
            resolve(result)
          },
          reject: (reason) => {
            signal?.removeEventListener('abort', onAbort)
            reject(reason)
          },
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        waiting.push(job)
        dispatch()
      })
    },
    hasIdleThread: () => !closed && idle.length > 0,
    canStartThread: () => !closed && live.size < options.threads,
    startedThreads: () => started,
    async close() {
      closed = true
      const closing = new ThreadError('E_THREAD_CRASHED', 'the thread pool was closed')
      for (const job of waiting.splice(0)) job.reject(closing)
      await Promise.all([...live].map((slot) => (stop(slot, closing), slot.worker.terminate())))
    },
  }
}

const requireCjs = createRequire(import.meta.url)

function startThread({ entry, maxHeapMb, maxYoungHeapMb }: ThreadPoolOptions): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb, ...(maxYoungHeapMb === undefined ? {} : { maxYoungGenerationSizeMb: maxYoungHeapMb }) }
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { resourceLimits })
  // Under vitest or tsx the sources are TypeScript, which a new thread cannot load until tsx's
  // loader is registered in it (a worker's execArgv cannot carry `--import` on Node 20).
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { eval: true, resourceLimits })
}

/** The task's own error, as close to what it threw as a message between threads allows. */
function toTaskError(error: { code?: string; message: string }): Error {
  return error.code === undefined ? new Error(error.message) : new FeedloomError(error.code as ErrorCode, error.message)
}

function toDeathError(error: Error | undefined, exitCode: number, maxHeapMb: number): ThreadError {
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new ThreadError('E_THREAD_MEMORY', `needed more than ${maxHeapMb} MB of memory and was stopped`, { cause: error })
  }
  const reason = error === undefined ? `exited with code ${exitCode}` : `crashed: ${error.message}`
  return new ThreadError('E_THREAD_CRASHED', reason, { cause: error })
}
