import { StoreError } from '../../errors.js'
import { connectPostgres, type PostgresConnection } from './connect-postgres.js'
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './postgres-migrations.js'

export interface MigratePostgresResult {
  /** The steps this call applied, oldest first; empty when the schema was up to date. */
  applied: Pick<PostgresMigration, 'version' | 'name'>[]
  /** The schema's version now. */
  version: number
}

/**
 * Creates or updates the store's schema: each missing step in a transaction of its own, recorded
 * in `feedloom_migrations` in that same transaction, so a step is applied whole or not at all.
 * Safe to run from several processes at once: a transaction-scoped advisory lock makes them take
 * turns, and each one skips the steps another has applied meanwhile.
 * @throws StoreError E_STORE_VERSION when the schema is newer than this feedloom knows
 */
export async function migratePostgres(
  connection: PostgresConnection,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigratePostgresResult> {
  const latest = migrations.at(-1)?.version ?? 0
  // The common case, every open of an up-to-date store, without a transaction or a lock.
  const current = await readSchemaVersion(connection)
  if (current > latest) throw newerSchemaError(connection, current, latest)
  if (current === latest) return { applied: [], version: current }
  const applied: MigratePostgresResult['applied'] = []
  await inTransaction(connection, 'creating the migrations table', async () => {
    await connection.query(
      'creating the migrations table',
      `CREATE TABLE IF NOT EXISTS feedloom_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
  })
  for (const migration of migrations) {
    const what = `migration ${migration.version} (${migration.name})`
    await inTransaction(connection, what, async (version) => {
      if (version >= migration.version) return
      await connection.query(what, migration.sql)
      await connection.query(what, 'INSERT INTO feedloom_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      applied.push({ version: migration.version, name: migration.name })
    })
  }
  const version = await readSchemaVersion(connection)
  if (version > latest) throw newerSchemaError(connection, version, latest)
  return { applied, version }
}

/** The schema's version: 0 for a database feedloom never set up. */
export async function readSchemaVersion(connection: PostgresConnection): Promise<number> {
  const [table] = await connection.query<{ exists: boolean }>(
    'reading the schema version',
    `SELECT to_regclass('feedloom_migrations') IS NOT NULL AS exists`,
  )
  if (table?.exists !== true) return 0
  const [row] = await connection.query<{ version: number }>(
    'reading the schema version',
    'SELECT coalesce(max(version), 0) AS version FROM feedloom_migrations',
  )
  return row?.version ?? 0
}

export function newerSchemaError(connection: PostgresConnection, version: number, latest: number): StoreError {
  return new StoreError(
    'E_STORE_VERSION',
    `the PostgreSQL store ${connection.label} has schema version ${version}; this feedloom knows up to ${latest}: upgrade feedloom`,
  )
}

/**
 * Runs `body` in a transaction that holds the schema's advisory lock, with the schema version as
 * it is once the lock is held.
 */
async function inTransaction(
  connection: PostgresConnection,
  what: string,
  body: (version: number) => Promise<void>,
): Promise<void> {
  await connection.query(what, 'BEGIN')
  try {
    // Keyed by schema, so stores in different schemas of one database do not wait for each other.
    await connection.query(what, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.feedloom_migrations'))`)
    await body(await readSchemaVersion(connection))
    await connection.query(what, 'COMMIT')
  } catch (err) {
    await connection.query(what, 'ROLLBACK').catch(() => undefined)
    throw err
  }
}

/**
 * `feedloom store migrate`: connects to the store at `url` and brings its schema up to date.
 * @throws StoreError E_STORE_CONNECT, E_STORE_VERSION or E_STORE_IO
 */
export async function migratePostgresStore(url: string): Promise<MigratePostgresResult & { label: string }> {
  const connection = await connectPostgres(url)
  try {
    return { ...(await migratePostgres(connection)), label: connection.label }
  } finally {
    await connection.close()
  }
}
