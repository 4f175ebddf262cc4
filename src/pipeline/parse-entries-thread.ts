import { serveThreadTasks } from '../threads/serve-thread-tasks.js'
import type { BodyQuestion } from './normalize-entries.js'
import { type ParseEntriesTask, parseEntries } from './parse-entries.js'

serveThreadTasks((task: ParseEntriesTask, ask) => parseEntries(task, (questions: BodyQuestion[]) => ask(questions) as Promise<boolean[]>))
