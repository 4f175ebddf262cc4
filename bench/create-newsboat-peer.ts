import { spawn } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FeedFarm } from './feed-farm.js'
import { measureCommand } from './measure-command.js'
import { checkRun, type Peer, type RunFigures } from './peer.js'
import { measureWrites, snapshotFiles } from './snapshot-files.js'

export interface NewsboatPeerOptions {
  /** Its own HOME, config, urls and cache.db; emptied by reset(). */
  dir: string
  /** `reload-threads` */
  concurrency: number
}

/** newsboat (Debian) reloading every feed: `newsboat -x reload` with its own fresh cache. */
export function createNewsboatPeer(options: NewsboatPeerOptions): Peer {
  const { dir } = options
  const files = { config: join(dir, 'config'), urls: join(dir, 'urls'), cache: join(dir, 'cache.db') }
  const fileArgs = ['-u', files.urls, '-c', files.cache, '-C', files.config]
  // newsboat looks in HOME and XDG folders for more files and a lock; keep all of it in dir.
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_DATA_HOME: join(dir, '.local'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    TERM: 'dumb',
  }
  return {
    name: 'newsboat',
    async reset(farm: FeedFarm) {
      await rm(dir, { recursive: true, force: true })
      await mkdir(dir, { recursive: true })
      await writeFile(
        files.config,
        [`reload-threads ${options.concurrency}`, 'download-timeout 30', 'max-items 0', 'keep-articles-days 0', ''].join('\n'),
      )
      await writeFile(files.urls, `${farm.feedUrls.join('\n')}\n`)
    },
    async settle() {
      await measureCommand({ command: 'newsboat', args: ['-x', 'reload', ...fileArgs], cwd: dir, env })
    },
    async run({ farm }): Promise<RunFigures> {
      const before = await snapshotFiles(dir)
      const figures = await measureCommand({ command: 'newsboat', args: ['-x', 'reload', ...fileArgs], cwd: dir, env })
      const after = await snapshotFiles(dir)
      return checkRun({
        wallMs: figures.wallMs,
        cpuMs: figures.cpuMs,
        maxRssKb: figures.maxRssKb,
        bytesWritten: measureWrites(before, after).bytes,
        items: await countArticles(files, fileArgs, dir, env),
        // newsboat keys articles by guid across all feeds: a story two RSS feeds carry is one article.
        expectedItems: farm.expected().distinctGuids,
        exitCode: figures.exitCode,
      })
    },
  }
}

/**
 * Reads the article count from newsboat's SQLite cache with Python's sqlite3 (read-only), after
 * the clock stopped. `newsboat -x print-unread` would say the same but takes minutes on a
 * 40k-article cache; it stays as the fallback when python3 is missing.
 */
async function countArticles(files: { cache: string }, fileArgs: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const query = `import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True); print(c.execute('SELECT COUNT(*) FROM rss_item WHERE deleted = 0').fetchone()[0])`
  const fromSqlite = await readCount('python3', ['-c', query, files.cache], cwd, env, /^(\d+)\s*$/)
  return fromSqlite ?? readCount('newsboat', ['-x', 'print-unread', ...fileArgs], cwd, env, /(\d+) unread articles?/)
}

async function readCount(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, pattern: RegExp): Promise<number | undefined> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null))
    child.once('close', resolve)
  })
  const count = code === 0 ? pattern.exec(stdout)?.[1] : undefined
  return count === undefined ? undefined : Number(count)
}
