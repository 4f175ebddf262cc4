import { afterEach, describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors.js'
import { connectPostgres, type PostgresConnection } from '../../../src/store/postgres/connect-postgres.js'
import { migratePostgres } from '../../../src/store/postgres/migrate-postgres.js'
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/postgres-migrations.js'
import { closedPort } from '../../helpers/feed-server.js'
import { useTestPostgres } from '../../helpers/postgres.js'

const postgres = await useTestPostgres()

describe.skipIf(postgres === undefined)('PostgreSQL store migrations', () => {
  const db = postgres as NonNullable<typeof postgres>
  const opened: PostgresConnection[] = []
  const connect = async (url: string): Promise<PostgresConnection> => {
    const connection = await connectPostgres(url)
    opened.push(connection)
    return connection
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connection) => connection.close()))
  })
  const tablesOf = async (url: string): Promise<string[]> => {
    const schema = new URL(url).searchParams.get('options')?.replace('-c search_path=', '')
    const rows = await db.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    )
    return rows.map((row) => row.name)
  }

  it('creates the schema in an empty database and says which steps it applied', async () => {
    const { url } = await db.createSchema()
    const result = await migratePostgres(await connect(url))

    expect(result).toEqual({ applied: POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })), version: POSTGRES_MIGRATIONS.length })
    expect(await tablesOf(url)).toEqual([
      'category_counts',
      'category_slugs',
      'feedloom_migrations',
      'item_identities',
      'item_totals',
      'items',
      'membership_counts',
      'publish_record',
      'source_states',
      'tombstones',
    ])
  })

  it('applies nothing the second time', async () => {
    const { url } = await db.createSchema()
    await migratePostgres(await connect(url))

    expect(await migratePostgres(await connect(url))).toEqual({ applied: [], version: POSTGRES_MIGRATIONS.length })
  })

  it('applies each step once when several processes migrate at the same time', async () => {
    const { url } = await db.createSchema()
    const connections = await Promise.all([connect(url), connect(url), connect(url)])

    const results = await Promise.all(connections.map((connection) => migratePostgres(connection)))

    expect(results.flatMap((result) => result.applied.map((step) => step.version)).sort()).toEqual(POSTGRES_MIGRATIONS.map((step) => step.version))
  })

  it('leaves no trace of a step that fails, and keeps the steps before it', async () => {
    const { url } = await db.createSchema()
    const steps = [
      { version: 1, name: 'first', sql: 'CREATE TABLE first_step (id integer)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE second_step (id integer); SELECT no_such_function()' },
    ]

    const error = await migratePostgres(await connect(url), steps).catch((err: unknown) => err)

    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/^migration 2 \(broken\) failed in the PostgreSQL store postgres:\/\/feedloom_test@127\.0\.0\.1:\d+\/feedloom_t_\w+: function no_such_function\(\) does not exist$/)
    expect(await tablesOf(url)).toEqual(['feedloom_migrations', 'first_step'])
    expect(await migratePostgres(await connect(url), steps.slice(0, 1))).toEqual({ applied: [], version: 1 })
  })

  it('refuses a schema newer than this feedloom knows, naming both versions', async () => {
    const { url } = await db.createSchema()
    const steps = [{ version: 1, name: 'first', sql: 'CREATE TABLE first_step (id integer)' }]
    await migratePostgres(await connect(url), [...steps, { version: 2, name: 'from a newer feedloom', sql: 'SELECT 1' }])

    const error = await migratePostgres(await connect(url), steps).catch((err: unknown) => err)

    expect(error).toMatchObject({ code: 'E_STORE_VERSION' })
    expect((error as StoreError).message).toContain('has schema version 2; this feedloom knows up to 1: upgrade feedloom')
  })

  it('reports an unreachable server with its URL, without the password', async () => {
    const url = new URL(db.url)
    const port = await closedPort()
    url.port = String(port)

    const error = await connectPostgres(url.toString()).catch((err: unknown) => err)

    expect(error).toMatchObject({ code: 'E_STORE_CONNECT' })
    expect((error as StoreError).message).toContain(`cannot connect to the PostgreSQL store postgres://feedloom_test@127.0.0.1:${port}/feedloom_t_`)
    expect((error as StoreError).message).toContain('connect ECONNREFUSED')
    expect((error as StoreError).message).not.toContain(':feedloom_test@')
  })
})
