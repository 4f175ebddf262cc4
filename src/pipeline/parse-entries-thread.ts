import { serveThreadTasks } from '../threads/serve-thread-tasks.js'
import { parseEntries } from './parse-entries.js'

serveThreadTasks(parseEntries)
