import type { Config } from '../config/config-schema.js'
import type { CommandContext } from './command-context.js'
import { openQueue } from './open-queue.js'

/** `feedloom publish [--watch]`: the one publisher of a PostgreSQL store's workers. */
export async function runPublisher(context: CommandContext, config: Readonly<Config>, options: { watch?: boolean }): Promise<number> {
  const { io, log } = context
  const watch = options.watch === true
  const queue = await openQueue(context, config, 'feedloom publish')
  let failed = 0
  try {
    const { publishWhenChanged } = await import('../pipeline/publish-when-changed.js')
    if (watch) log.info(`publisher started: publishes ${config.output.dir} whenever the workers store changes, store ${queue.label}; stop with Ctrl-C`)
    await publishWhenChanged({
      config: () => config,
      queue,
      log,
      signal: io.signal,
      watch,
      onPublished: (result, categories) => {
        failed = result.failed.length
        const which = categories === 'all' ? 'every category' : `${categories.size} changed categories`
        const line = `publish done (${which}): ${result.written.length} files written, ${result.unchanged} unchanged, ${result.failed.length} failed`
        if (watch) log.info(line, { filesWritten: result.written.length, outputFailures: result.failed.length })
        else io.stdout(line)
        for (const failure of result.failed) log.error(`output ${failure.file} not replaced: ${failure.reason}`, { file: failure.file })
      },
    })
    if (watch) log.info(`${String(io.signal.reason)}: publisher stopped`)
    return !watch && failed > 0 ? 1 : 0
  } finally {
    await queue.close()
  }
}
