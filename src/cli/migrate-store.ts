import type { Config } from '../config/config-schema.js'
import type { CommandContext } from './command-context.js'

/** `feedloom store migrate`: creates or updates a PostgreSQL store's schema and says what it did. */
export async function migrateStore(context: CommandContext, config: Readonly<Config>): Promise<number> {
  const { io } = context
  if (config.store.url === undefined) {
    io.stdout(`${config.store.path}: a file store has no schema to migrate (it is converted when first opened); store.url names a PostgreSQL store`)
    return 0
  }
  const { migratePostgresStore } = await import('../store/postgres/migrate-postgres.js')
  const result = await migratePostgresStore(config.store.url)
  for (const step of result.applied) io.stdout(`${result.label}: applied migration ${step.version} (${step.name})`)
  io.stdout(`${result.label}: schema ${result.applied.length === 0 ? 'already up to date' : 'now'} at version ${result.version}`)
  return 0
}
