import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { closedPort } from './feed-server.js'

/** The server scripts/test-postgres.sh starts, for when FEEDLOOM_TEST_PG_URL is not set. */
const DEFAULT_SERVER_URL = 'postgres://feedloom_test:feedloom_test@127.0.0.1:54329/feedloom_test'

/** Creating and dropping a database waits for a checkpoint, which a busy machine can make slow. */
const DATABASE_HOOK_TIMEOUT_MS = 60_000

export interface TestSchema {
  readonly name: string
  readonly url: string
  /** Drops the schema and everything in it. */
  drop(): Promise<void>
}

export interface TestPostgres {
  /** This test file's own database (valid from beforeAll on). */
  readonly url: string
  /** A fresh, empty schema in that database: `url` connects with it as the search path; one store each. */
  createSchema(): Promise<TestSchema>
  /** Runs SQL as the test role in this file's database, outside any store (to look at or damage what a store wrote). */
  query<Row extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>
}

/**
 * Gives the calling test file a fresh database on the test server, dropped after the file. Call
 * with top-level await. Resolves to undefined when no server answers: the caller skips its tests,
 * and the reason is printed (the skip must not go unnoticed). Under CI (CI set) it throws instead,
 * because CI starts a server and must never skip these tests.
 */
export async function useTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres | undefined> {
  const serverUrl = env.FEEDLOOM_TEST_PG_URL || DEFAULT_SERVER_URL
  const problem = await probe(serverUrl)
  if (problem !== undefined) {
    const message = `no PostgreSQL test server at ${redact(serverUrl)}: ${problem}. Start one with \`eval "$(scripts/test-postgres.sh start)"\``
    if (env.CI) throw new Error(`${message} (CI must not skip the PostgreSQL tests)`)
    console.warn(`SKIPPED PostgreSQL tests: ${message}`)
    return undefined
  }
  const database = `feedloom_t_${randomBytes(6).toString('hex')}`
  const url = withDatabase(serverUrl, database)
  let client: pg.Client | undefined
  let schemas = 0
  beforeAll(async () => {
    await withClient(serverUrl, (admin) => admin.query(`CREATE DATABASE ${database}`))
    client = new pg.Client({ connectionString: url })
    // Reported by the next query; unheard, it would be an uncaught error that fails the file.
    client.on('error', () => undefined)
    await client.connect()
  }, DATABASE_HOOK_TIMEOUT_MS)
  afterAll(async () => {
    await client?.end()
    await dropDatabase(serverUrl, database)
  }, DATABASE_HOOK_TIMEOUT_MS)
  const connected = (): pg.Client => {
    if (client === undefined) throw new Error('useTestPostgres: the database is created in beforeAll; use it inside tests')
    return client
  }
  return {
    url,
    async createSchema() {
      const name = `store_${++schemas}`
      await connected().query(`CREATE SCHEMA ${name}`)
      const schemaUrl = new URL(url)
      schemaUrl.searchParams.set('options', `-c search_path=${name}`)
      return {
        name,
        url: schemaUrl.toString(),
        drop: async () => {
          await connected().query(`DROP SCHEMA ${name} CASCADE`)
        },
      }
    },
    async query<Row extends object>(sql: string, values: unknown[] = []) {
      return (await connected().query<Row>(sql, values)).rows
    },
  }
}

const TEST_POSTGRES_SCRIPT = resolve(import.meta.dirname, '../../scripts/test-postgres.sh')

/** initdb and the first start take seconds, more on a busy machine. */
const SERVER_HOOK_TIMEOUT_MS = 120_000

export interface OwnPostgres {
  /** The test role's database on this server (valid from beforeAll on). */
  readonly url: string
  /** A fast shutdown and a start: every connection is cut, as in a failover. */
  restart(): Promise<void>
  /** Runs SQL as the test role in that database, on a connection of its own. */
  query<Row extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>
}

/**
 * A PostgreSQL server for the calling test file alone (scripts/test-postgres.sh on a free port),
 * for tests that restart it: the shared server on 54329 serves other test files meanwhile. Call
 * with top-level await; started in beforeAll, stopped and removed in afterAll. Undefined, with
 * the reason printed, when PostgreSQL is not installed; under CI it throws instead.
 */
export async function useOwnPostgres(env: NodeJS.ProcessEnv = process.env): Promise<OwnPostgres | undefined> {
  if (!existsSync('/usr/lib/postgresql')) {
    const message = 'PostgreSQL is not installed (apt-get install postgresql)'
    if (env.CI) throw new Error(`${message} (CI must not skip the PostgreSQL tests)`)
    console.warn(`SKIPPED PostgreSQL restart tests: ${message}`)
    return undefined
  }
  const serverEnv = { ...env, FEEDLOOM_TEST_PG_PORT: String(await closedPort()) }
  const script = (action: string) =>
    new Promise<string>((done, fail) => {
      execFile('bash', [TEST_POSTGRES_SCRIPT, action], { env: serverEnv }, (err, stdout, stderr) => {
        if (err) fail(new Error(`scripts/test-postgres.sh ${action} failed: ${stderr}`, { cause: err }))
        else done(stdout)
      })
    })
  let url: string | undefined
  beforeAll(async () => {
    url = /FEEDLOOM_TEST_PG_URL=(\S+)/.exec(await script('start'))?.[1]
  }, SERVER_HOOK_TIMEOUT_MS)
  afterAll(async () => {
    await script('stop')
  }, SERVER_HOOK_TIMEOUT_MS)
  return {
    get url() {
      if (url === undefined) throw new Error('useOwnPostgres: the server starts in beforeAll; use it inside tests')
      return url
    },
    restart: async () => {
      await script('restart')
    },
    async query<Row extends object>(sql: string, values: unknown[] = []) {
      if (url === undefined) throw new Error('useOwnPostgres: the server starts in beforeAll; use it inside tests')
      return withClient(url, async (client) => (await client.query<Row>(sql, values)).rows)
    },
  }
}

async function probe(serverUrl: string): Promise<string | undefined> {
  try {
    await withClient(serverUrl, (client) => client.query('SELECT 1'))
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message || String((err as NodeJS.ErrnoException).code) : String(err)
  }
}

/**
 * DROP DATABASE … WITH (FORCE) refuses, as insufficient_privilege, while an autovacuum worker is in
 * the database (the test role may not end it); the worker leaves within moments, so the drop is
 * tried again.
 */
async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
      return
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || attempt === 20) throw err
      await new Promise((resolveWait) => setTimeout(resolveWait, 250))
    }
  }
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return await body(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

function redact(serverUrl: string): string {
  try {
    const url = new URL(serverUrl)
    url.password = ''
    return url.toString()
  } catch {
    return '(FEEDLOOM_TEST_PG_URL is not a URL)'
  }
}
