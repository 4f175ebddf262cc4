import { createHash } from 'node:crypto'
import pg from 'pg'
import { StoreError } from '../../errors.js'
import { describePostgresUrl } from './describe-postgres-url.js'

/** One connection to a PostgreSQL store: the only place feedloom talks to `pg`. */
export interface PostgresConnection {
  /** The server URL without its password, for messages. */
  readonly label: string
  /**
   * Runs one statement. `what` names it in the error a user sees.
   * @throws StoreError E_STORE_IO, or E_STORE_CONFLICT when PostgreSQL gave up on the
   *   transaction because a concurrent one got in its way (a deadlock)
   */
  query<Row extends object = Record<string, unknown>>(what: string, sql: string, values?: readonly unknown[]): Promise<Row[]>
  close(): Promise<void>
}

/** How long connecting may take before the store is reported unreachable. */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Opens one connection. One is enough: a store is used by one cycle at a time, and a cycle's
 * writes must share one transaction anyway.
 * @throws StoreError E_STORE_CONNECT (unreachable, refused, wrong password, no such database)
 */
export async function connectPostgres(url: string): Promise<PostgresConnection> {
  const label = describePostgresUrl(url)
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'feedloom' })
  // A dropped connection is reported by the next query; without a listener it would end the process.
  let lost: Error | undefined
  client.on('error', (err) => {
    lost = err
  })
  try {
    await client.connect()
  } catch (cause) {
    await client.end().catch(() => undefined)
    throw new StoreError('E_STORE_CONNECT', `cannot connect to the PostgreSQL store ${label}: ${describeCause(cause)}`, { cause })
  }
  return {
    label,
    async query<Row extends object>(what: string, sql: string, values: readonly unknown[] = []): Promise<Row[]> {
      if (lost !== undefined) {
        throw new StoreError('E_STORE_IO', `lost the connection to the PostgreSQL store ${label} before ${what}: ${lost.message}`, { cause: lost })
      }
      try {
        const result = await client.query<Row>(values.length === 0 ? sql : { name: statementNameOf(sql), text: sql, values: values as unknown[] })
        return result.rows
      } catch (cause) {
        const code = isConflict(cause) ? 'E_STORE_CONFLICT' : 'E_STORE_IO'
        throw new StoreError(code, `${what} failed in the PostgreSQL store ${label}: ${describeCause(cause)}`, { cause })
      }
    },
    async close() {
      await client.end().catch(() => undefined)
    },
  }
}

/**
 * A name per statement text: a named statement is parsed and planned once per connection, not on
 * every call, which a worker's handle, kept for job after job, runs the same few of thousands of
 * times. Statements without parameters (transaction control, migrations of several statements)
 * are sent as they are.
 */
function statementNameOf(sql: string): string {
  return `feedloom_${createHash('sha1').update(sql).digest('hex')}`
}

/** Deadlock, or a serializable transaction that lost: the transaction is gone, retrying the cycle may succeed. */
function isConflict(cause: unknown): boolean {
  const sqlState = (cause as { code?: unknown }).code
  return sqlState === '40P01' || sqlState === '40001'
}

function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return describeCause(cause.errors[0])
  if (cause instanceof Error) return cause.message || ((cause as NodeJS.ErrnoException).code ?? cause.name)
  return String(cause)
}
