import { resolve } from 'node:path'
import type { Config } from '../config/config-schema.js'
import type { CommandContext } from './command-context.js'

/**
 * `feedloom store check`: every problem of the committed store, one line each, on stdout.
 * @returns 0 when there is none, 1 otherwise
 */
export async function checkStore(context: CommandContext, config: Readonly<Config>): Promise<number> {
  const { openStore } = await import('../store/open-store.js')
  // Without the lock: a running worker keeps its store, and check only reads.
  const store = await openStore({ path: config.store.path, lock: false })
  try {
    const problems = await store.check()
    for (const problem of problems) context.io.stdout(problem)
    const counts = await store.countItems()
    context.io.stdout(
      problems.length === 0
        ? `store ${config.store.path}: ok, ${counts.all} items in ${counts.categories.size} categories`
        : `store ${config.store.path}: ${problems.length} problems`,
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
  const source = await openStore({ path: config.store.path, lock: { holder: 'feedloom store copy' }, log: context.log })
  try {
    const target = await openStore({ ...targetOptions, log: context.log })
    try {
      const copied = await copyStore(source, target, to)
      context.io.stdout(`copied ${copied.items} items, ${copied.tombstones} tombstones and ${copied.sources} source states to ${to}`)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
  return 0
}
