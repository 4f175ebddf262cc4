import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import type { Config } from '../../src/config/config-schema.js'
import { runCycle, type CycleOptions, type CycleSummary } from '../../src/pipeline/run-cycle.js'
import type { Logger, SourceState } from '../../src/types.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createTempDir, removeTempDir } from '../store/store-test-helpers.js'

/** An RSS 2.0 document with one item per title. */
export function rssWith(...titles: string[]): string {
  const items = titles
    .map((title, i) => `<item><title>${title}</title><link>https://news.example.com/a/${encodeURIComponent(title)}.html</link><guid>g-${title}</guid><pubDate>Tue, 11 Jan 2022 0${i}:00:00 GMT</pubDate><description>${title}</description></item>`)
    .join('')
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><link>https://news.example.com/</link>${items}</channel></rss>`
}

/** A config in `dir` (store/db.json, out/) over `sources`, validated like the CLI does. */
export function createCycleConfig(dir: string, sources: object[], extra: Record<string, unknown> = {}): Readonly<Config> {
  return loadConfig({
    fileText: JSON.stringify({
      site: { title: '金融消息', url: 'https://news.example.com/' },
      store: { path: 'store/db.json', maxAgeDays: 36500 },
      output: { dir: 'out', html: false, opml: false },
      fetch: { timeoutMs: 5000 },
      sources,
      ...extra,
    }),
    baseDir: dir,
  })
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
}

/** A Logger that keeps every record. */
export function createMemoryLog(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = []
  return {
    records,
    info: (message, fields) => void records.push({ level: 'info', message, fields }),
    warn: (message, fields) => void records.push({ level: 'warn', message, fields }),
    error: (message, fields) => void records.push({ level: 'error', message, fields }),
  }
}

/** One cycle in this process at a chosen instant. */
export function runCycleAt(config: Readonly<Config>, at: Date, options: Partial<CycleOptions> = {}): Promise<CycleSummary> {
  return runCycle({ config, log: createMemoryLog(), now: () => at, ...options })
}

/** A source's state as committed in the store's index head. */
export async function readSourceState(config: Readonly<Config>, id: string): Promise<SourceState | undefined> {
  const data = JSON.parse(await readFile(config.store.path, 'utf8')) as { sources: Record<string, SourceState> }
  return data.sources[id]
}

/**
 * A local feed server with no routes yet and an empty temp folder, fresh for each test and gone
 * after it. Call at the top of a test file; read `server` and `dir` inside the tests.
 */
export function useCycleServer(): { readonly server: FeedServer; readonly dir: string } {
  const current = {} as { server: FeedServer; dir: string }
  beforeEach(async () => {
    current.server = await createFeedServer()
    current.dir = await createTempDir()
  })
  afterEach(async () => {
    await current.server.close()
    await removeTempDir(current.dir)
  })
  return current
}
