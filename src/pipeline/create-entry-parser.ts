import { availableParallelism } from 'node:os'
import { ThreadError } from '../errors.js'
import { slugifyCategory } from '../normalize/category-slug.js'
import { createThreadPool } from '../threads/create-thread-pool.js'
import type { SkipBodies } from './normalize-entries.js'
import { type ParsedEntries, parseEntries, type ParseEntriesTask, type ParseQuestion } from './parse-entries.js'

/** Parsing and normalizing one answer still running after this long is stopped (its thread terminated) and fails its source. */
export const PARSE_DEADLINE_MS = 60_000

/** Heap one parse thread may use; an answer that needs more fails its source. */
export const PARSE_MAX_HEAP_MB = 512

/**
 * Young generation of a parse thread, in MB. A parse leaves mostly garbage, which V8's default
 * (32 MB a thread) would hold until it fills; 4 MB costs no measurable CPU and about 40 MB less
 * memory a thread.
 */
export const PARSE_MAX_YOUNG_HEAP_MB = 4

/**
 * An answer this short is parsed on the calling thread when no parse thread is free and no other
 * parse is under way there: starting a thread (loading the parser and sanitizer in it, a few tenths
 * of a second of CPU and tens of MB) costs more than parsing it, and so small an answer cannot
 * exhaust the heap. A thread starts only when an answer would otherwise wait for the calling
 * thread (another parse there waits for the store's answer) or is longer, since a long answer
 * always goes to a thread, whose limits contain it.
 */
export const INLINE_MAX_CHARS = 256 * 1024

export interface EntryParserOptions {
  /** `fetch.workers`: threads at most; 0 parses on the calling thread. @default one per core */
  workers?: number
  /** @default PARSE_DEADLINE_MS */
  deadlineMs?: number
  /** @default PARSE_MAX_HEAP_MB */
  maxHeapMb?: number
  /** Longest answer parsed on the calling thread; 0 sends every answer to a thread. @default INLINE_MAX_CHARS */
  inlineMaxChars?: number
}

export interface EntryParser {
  /**
   * parseEntries, on a worker thread unless there are none or a short answer finds none free and
   * no other parse under way here (INLINE_MAX_CHARS): answers that would wait for this thread are
   * parsed on the other cores while it goes on fetching, and a cycle whose parses never overlap
   * starts no thread. Rejects with the task's own error (E_PARSE_*), or with
   * a ThreadError naming the answer's URL (E_THREAD_TIMEOUT, E_THREAD_MEMORY, E_THREAD_CRASHED).
   * `skipBodies` is answered on this thread, where the store is.
   */
  parse(task: ParseEntriesTask, skipBodies?: SkipBodies): Promise<ParsedEntries>
  /** Threads started so far: 0 while every answer has been parsed on the calling thread. */
  startedThreads(): number
  /** Ends the threads; a cycle closes its parser when it is done. */
  close(): Promise<void>
}

export function createEntryParser({
  workers = availableParallelism(),
  deadlineMs = PARSE_DEADLINE_MS,
  maxHeapMb = PARSE_MAX_HEAP_MB,
  inlineMaxChars = INLINE_MAX_CHARS,
}: EntryParserOptions = {}): EntryParser {
  if (workers === 0) return { parse: parseHere, startedThreads: () => 0, close: async () => {} }
  const pool = createThreadPool<ParseEntriesTask, ParsedEntries>({ entry: threadEntry(), threads: workers, taskDeadlineMs: deadlineMs, maxHeapMb, maxYoungHeapMb: PARSE_MAX_YOUNG_HEAP_MB })
  /** Parses under way on this thread: they interleave where a parse waits for the store's answer. */
  let parsesHere = 0
  return {
    async parse(task, skipBodies) {
      if (task.text.length <= inlineMaxChars && !pool.hasIdleThread() && (parsesHere === 0 || !pool.canStartThread())) {
        parsesHere += 1
        try {
          return await parseHere(task, skipBodies)
        } finally {
          parsesHere -= 1
        }
      }
      try {
        // The thread always asks; without a judge (a queue worker's job) every body is sanitized, as on this thread.
        const judge: SkipBodies = skipBodies ?? (async (questions) => questions.map(() => false))
        const answer = async (question: ParseQuestion) => ('bodies' in question ? judge(question.bodies) : question.slugs.map((name) => slugifyCategory(name)))
        return await pool.run(task, { answer: (question) => answer(question as ParseQuestion) })
      } catch (err) {
        if (!(err instanceof ThreadError)) throw err
        throw new ThreadError(err.code, `cannot read the answer of ${task.url}: parsing ${err.message}`, { cause: err })
      }
    },
    startedThreads: () => pool.startedThreads(),
    close: () => pool.close(),
  }
}

/**
 * parseEntries on this thread, its result copied: the strings of a parsed answer (titles, links,
 * summaries) are slices of its text in V8 and would keep the whole answer alive for as long as
 * the entries live. A thread's result is copied anyway, by postMessage.
 */
async function parseHere(task: ParseEntriesTask, skipBodies?: SkipBodies): Promise<ParsedEntries> {
  return structuredClone(await parseEntries(task, skipBodies))
}

/**
 * The thread's module sits beside this one in the same form: `.ts` under vitest and tsx, `.js` in
 * dist/, `.mjs` in the CLI bundle, where scripts/bundle-cli.ts makes it an entry of its own.
 */
function threadEntry(): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js'
  return new URL(`./parse-entries-thread${extension}`, import.meta.url)
}
