import { resolve } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { UsageError } from '../errors.js'
import { describePostgresUrl } from '../store/postgres/describe-postgres-url.js'
import type { CommandContext } from './command-context.js'

/** The configured store as messages name it: its path, or its URL without the password. */
function nameStore(config: Readonly<Config>): string {
  return config.store.url === undefined ? config.store.path : describePostgresUrl(config.store.url)
}

/**
 * `feedloom store check`: every problem of the committed store, one line each, on stdout.
 * @returns 0 when there is none, 1 otherwise
 */
export async function checkStore(context: CommandContext, config: Readonly<Config>): Promise<number> {
  const { openStore } = await import('../store/open-store.js')
  // Without the lock: a running worker keeps its store, and check only reads.
  const store = await openStore({ path: config.store.path, url: config.store.url, lock: false })
  try {
    const problems = await store.check()
    for (const problem of problems) context.io.stdout(problem)
    const counts = await store.countItems()
    context.io.stdout(
      problems.length === 0
        ? `store ${nameStore(config)}: ok, ${counts.all} items in ${counts.categories.size} categories`
        : `store ${nameStore(config)}: ${problems.length} problems`,
    )
    return problems.length === 0 ? 0 : 1
  } finally {
    await store.close()
  }
}

/** `feedloom store copy --to <path or url>`: the whole store into an empty one elsewhere. */
export async function copyStoreTo(context: CommandContext, config: Readonly<Config>, to: string): Promise<number> {
  const [{ openStore }, { copyStore }] = await Promise.all([import('../store/open-store.js'), import('../store/copy-store.js')])
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(to)
  const targetOptions = isUrl ? { path: to, url: to } : { path: resolve(to) }
  const targetName = isUrl ? describePostgresUrl(to) : to
  const source = await openStore({ path: config.store.path, url: config.store.url, lock: { holder: 'feedloom store copy' }, log: context.log })
  try {
    const target = await openStore({ ...targetOptions, log: context.log })
    try {
      const copied = await copyStore(source, target, targetName)
      context.io.stdout(`copied ${copied.items} items, ${copied.tombstones} tombstones and ${copied.sources} source states to ${targetName}`)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
  return 0
}

/**
 * `feedloom store restore`: the commit before the last one back in place, once it is checked; the
 * damaged head is kept aside. A PostgreSQL store is restored with PostgreSQL's own tools.
 */
export async function restoreStore(context: CommandContext, config: Readonly<Config>): Promise<number> {
  if (config.store.url !== undefined) {
    throw new UsageError(`store ${nameStore(config)} is a PostgreSQL store: feedloom keeps no backup of it`, 'restore it with PostgreSQL\'s own tools (pg_dump and pg_restore, or point-in-time recovery)')
  }
  const { restoreLowdbStore } = await import('../store/lowdb/restore-lowdb-store.js')
  const { keptAs, restoredFrom } = await restoreLowdbStore(config.store.path, new Date())
  context.io.stdout(`store ${config.store.path} restored from ${restoredFrom}; the damaged head is kept as ${keptAs}`)
  context.io.stdout('the next run fetches the last cycle\'s items again and removes the damaged commit\'s segment files')
  return 0
}
