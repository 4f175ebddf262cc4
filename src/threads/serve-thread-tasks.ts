import { parentPort } from 'node:worker_threads'
import { FeedloomError } from '../errors.js'

/** A task as the pool sends it to a thread, or the answer to the question its running task asked. */
export type ThreadTaskMessage<Task> = { id: number; task: Task } | { id: number; answer: unknown } | { id: number; answerError: string }

/**
 * What a thread sends back: that it is ready for tasks (loaded), a question its running task asks
 * the main thread (`ask`), or a task's outcome, errors as data since structured clone drops their
 * codes.
 */
export type ThreadReplyMessage<Result> =
  | { ready: true }
  | { id: number; question: unknown }
  | { id: number; ok: true; result: Result }
  | { id: number; ok: false; error: { code?: string; message: string } }

/** Asks the main thread something only it knows (what the store holds) and waits for its answer. */
export type AskMainThread = (question: unknown) => Promise<unknown>

/**
 * The thread side of createThreadPool: a thread's entry module calls this once with the function
 * that does one task. Tasks arrive one at a time; a task may `ask` the main thread questions, one
 * at a time; each reply carries the task's result, or its error's code and message.
 */
export function serveThreadTasks<Task, Result>(handle: (task: Task, ask: AskMainThread) => Result | Promise<Result>): void {
  const port = parentPort
  if (port === null) throw new Error('serveThreadTasks runs in a worker thread only')
  const waiting = new Map<number, { resolve(answer: unknown): void; reject(reason: Error): void }>()
  port.on('message', async (message: ThreadTaskMessage<Task>) => {
    const { id } = message
    if ('answer' in message || 'answerError' in message) {
      const asker = waiting.get(id)
      waiting.delete(id)
      if ('answer' in message) asker?.resolve(message.answer)
      else asker?.reject(new Error(message.answerError))
      return
    }
    const ask: AskMainThread = (question) =>
      new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        port.postMessage({ id, question } satisfies ThreadReplyMessage<Result>)
      })
    let reply: ThreadReplyMessage<Result>
    try {
      reply = { id, ok: true, result: await handle(message.task, ask) }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err)
      reply = { id, ok: false, error: err instanceof FeedloomError ? { code: err.code, message: text } : { message: text } }
    }
    port.postMessage(reply)
  })
  port.postMessage({ ready: true } satisfies ThreadReplyMessage<Result>)
}
