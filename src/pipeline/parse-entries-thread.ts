import { serveThreadTasks } from '../threads/serve-thread-tasks.js'
import { type ParseEntriesTask, parseEntries, type ParseQuestion } from './parse-entries.js'

// Slugs are made on the main thread, which loads the romanizer (pinyin-pro) once for the process.
serveThreadTasks((task: ParseEntriesTask, ask) =>
  parseEntries(
    task,
    (bodies) => ask({ bodies } satisfies ParseQuestion) as Promise<boolean[]>,
    (slugs) => ask({ slugs } satisfies ParseQuestion) as Promise<string[]>,
  ),
)
