/**
 * The PostgreSQL server the bench measures feedloom against: the one FEEDLOOM_BENCH_PG_URL or
 * FEEDLOOM_TEST_PG_URL names, else the throwaway one of scripts/test-postgres.sh (started, and
 * stopped at the end, only when it was not running already: stopping removes its data). Databases are made per case; the million-item seed is kept as a template database
 * between runs, because filling it is most of the PostgreSQL case's time.
 */
import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

export interface PostgresBenchServer {
  /** A URL for `database` on this server. */
  urlOf(database: string): string
  /** Creates `database`, empty or as a copy of `template`, dropping any old one of that name. */
  createDatabase(database: string, template?: string): Promise<void>
  hasDatabase(database: string): Promise<boolean>
  dropDatabase(database: string): Promise<void>
  /** Live items in a feedloom store, from its kept counts; undefined when it has none yet. */
  countItems(database: string): Promise<number | undefined>
  /** WAL bytes the server has written so far: the store's share of "bytes written". */
  walBytes(): Promise<number>
  /** The postmaster's pid when the server runs on this machine (for its CPU time in /proc), else undefined. */
  postmasterPid(): Promise<number | undefined>
  /**
   * The statements run in `database` that took the most execution time (lock waits included), as
   * pg_stat_statements counted them since the server's last reset; undefined when the server does
   * not load it or this role may not read it.
   */
  topStatements(database: string, limit: number): Promise<StatementStats[] | undefined>
  /** Stops the server if the bench started it. */
  close(): Promise<void>
}

export interface StatementStats {
  calls: number
  totalMs: number
  rows: number
  /** The statement as pg_stat_statements normalized it, whitespace folded. */
  query: string
}

export async function startPostgresBenchServer(repoDir: string, log: (line: string) => void): Promise<PostgresBenchServer> {
  let serverUrl = process.env.FEEDLOOM_BENCH_PG_URL || process.env.FEEDLOOM_TEST_PG_URL
  let started = false
  const script = join(repoDir, 'scripts', 'test-postgres.sh')
  if (!serverUrl) {
    log('starting a PostgreSQL server with scripts/test-postgres.sh')
    const result = spawnSync('bash', [script, 'start'], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`scripts/test-postgres.sh start failed: ${result.stderr.trim()}`)
    serverUrl = /FEEDLOOM_TEST_PG_URL=(\S+)/.exec(result.stdout)?.[1]
    if (serverUrl === undefined) throw new Error(`scripts/test-postgres.sh printed no URL: ${result.stdout.trim()}`)
    started = !result.stdout.includes('# already running')
  }
  const base = serverUrl
  const urlOf = (database: string): string => {
    const url = new URL(base)
    url.pathname = `/${database}`
    return url.toString()
  }
  const withClient = async <T>(database: string | undefined, body: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: database === undefined ? base : urlOf(database) })
    await client.connect()
    try {
      return await body(client)
    } finally {
      await client.end()
    }
  }
  return {
    urlOf,
    async createDatabase(database, template) {
      await withClient(undefined, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
        // PostgreSQL 15 copies a template page by page through the WAL unless told to copy its files:
        // gigabytes of WAL for the million-item seed.
        const version = Number((await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]?.server_version_num)
        const strategy = template !== undefined && version >= 150000 ? ' STRATEGY FILE_COPY' : ''
        await client.query(`CREATE DATABASE ${database}${template === undefined ? '' : ` TEMPLATE ${template}`}${strategy}`)
      })
    },
    hasDatabase: (database) =>
      withClient(undefined, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1),
    dropDatabase: (database) => withClient(undefined, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))),
    countItems: (database) =>
      withClient(database, async (client) => {
        const exists = await client.query(`SELECT to_regclass('category_counts') IS NOT NULL AS exists`)
        if (exists.rows[0]?.exists !== true) return undefined
        const result = await client.query<{ items: number }>('SELECT coalesce(sum(items), 0)::integer AS items FROM category_counts')
        return result.rows[0]?.items
      }),
    walBytes: () => withClient(undefined, async (client) => Number((await client.query<{ wal_bytes: string }>('SELECT wal_bytes FROM pg_stat_wal')).rows[0]?.wal_bytes ?? 0)),
    postmasterPid: () =>
      withClient(undefined, async (client) => {
        // Read while the connection holds its backend, whose parent is the postmaster; on another
        // machine the pid names nothing here, or something else.
        const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
        const comm = await readFile(`/proc/${backend}/comm`, 'utf8').catch(() => '')
        if (comm.trim() !== 'postgres') return undefined
        const stat = await readFile(`/proc/${backend}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      }),
    topStatements: (database, limit) =>
      withClient(undefined, async (client) => {
        try {
          const result = await client.query<{ calls: string; total_ms: number; rows: string; query: string }>(
            `SELECT s.calls, s.total_exec_time AS total_ms, s.rows, s.query FROM pg_stat_statements AS s JOIN pg_database AS d ON d.oid = s.dbid
             WHERE d.datname = $1 AND s.toplevel ORDER BY s.total_exec_time DESC LIMIT $2`,
            [database, limit],
          )
          return result.rows.map((row) => ({ calls: Number(row.calls), totalMs: row.total_ms, rows: Number(row.rows), query: row.query.replace(/\s+/g, ' ').trim() }))
        } catch {
          return undefined
        }
      }),
    async close() {
      if (started) spawnSync('bash', [script, 'stop'], { encoding: 'utf8' })
    },
  }
}
