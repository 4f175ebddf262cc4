import { parentPort } from 'node:worker_threads'
import { FeedloomError } from '../errors.js'

/** A task as the pool sends it to a thread. */
export interface ThreadTaskMessage<Task> {
  id: number
  task: Task
}

/**
 * What a thread sends back: that it is ready for tasks (loaded), or a task's outcome, errors as
 * data since structured clone drops their codes.
 */
export type ThreadReplyMessage<Result> =
  | { ready: true }
  | { id: number; ok: true; result: Result }
  | { id: number; ok: false; error: { code?: string; message: string } }

/**
 * The thread side of createThreadPool: a thread's entry module calls this once with the function
 * that does one task. Tasks arrive one at a time; each reply carries the task's result, or its
 * error's code and message.
 */
export function serveThreadTasks<Task, Result>(handle: (task: Task) => Result | Promise<Result>): void {
  const port = parentPort
  if (port === null) throw new Error('serveThreadTasks runs in a worker thread only')
  port.on('message', async ({ id, task }: ThreadTaskMessage<Task>) => {
    let reply: ThreadReplyMessage<Result>
    try {
      reply = { id, ok: true, result: await handle(task) }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      reply = { id, ok: false, error: err instanceof FeedloomError ? { code: err.code, message } : { message } }
    }
    port.postMessage(reply)
  })
  port.postMessage({ ready: true } satisfies ThreadReplyMessage<Result>)
}
