import { ParseError } from '../../src/errors.js'
import { serveThreadTasks } from '../../src/threads/serve-thread-tasks.js'

/** What a test asks a thread to do: answer, ask the main thread, throw our error, spin forever, fill its heap, or crash. */
export type TestTask =
  | { kind: 'echo'; text: string }
  | { kind: 'ask'; question: string }
  | { kind: 'throw'; message: string }
  | { kind: 'spin' }
  | { kind: 'allocate' }
  | { kind: 'exit' }

serveThreadTasks(async (task: TestTask, ask) => {
  switch (task.kind) {
    case 'echo':
      return task.text.toUpperCase()
    case 'ask':
      return `main thread says ${String(await ask(task.question))}`
    case 'throw':
      throw new ParseError('E_PARSE_EXTRACT', task.message)
    case 'spin':
      for (;;);
    case 'allocate': {
      const kept: string[][] = []
      for (;;) kept.push(Array.from({ length: 100_000 }, (_, index) => `${index}-${kept.length}`))
    }
    case 'exit':
      process.exit(3)
  }
})
