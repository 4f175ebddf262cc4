import { Command, CommanderError } from 'commander'
import { resolve } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { readConfig } from '../config/read-config.js'
import { ConfigError, FeedloomError } from '../errors.js'
import { buildOutputs } from '../pipeline/build-outputs.js'
import { formatSummary, runCycle } from '../pipeline/run-cycle.js'
import { checkSchedule, startWorker } from '../schedule/start-worker.js'
import type { Logger } from '../types.js'
import { createLogger } from './create-logger.js'

export interface CliIo {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  stdout: (line: string) => void
  stderr: (line: string) => void
  /** Aborted when the user asks the process to stop (SIGINT/SIGTERM); the reason is the signal's name. */
  signal: AbortSignal
}

/** Parses argv, runs one command and returns its exit code. Touches no process.* itself: bin.ts does. */
export async function runMain(io: CliIo): Promise<number> {
  let exitCode = 0
  const program = new Command('feedloom')
    .description('Self-hosted RSS/Atom aggregator and publisher')
    .option('-c, --config <path>', 'path of feeds.config.json', './feeds.config.json')
    .option('-q, --quiet', 'print only warnings and errors')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: (text) => io.stderr(text.trimEnd()) })
    .showHelpAfterError()

  const context = () => {
    const { config, quiet } = program.opts<{ config: string; quiet?: boolean }>()
    const log = createLogger(io.stderr, { quiet: Boolean(quiet) })
    return { configPath: resolve(config), log, load: () => loadChecked(resolve(config), io.env) }
  }

  program
    .command('run')
    .description('run one cycle now: fetch due sources, update the store, publish what changed, then exit')
    .option('--strict', 'exit 1 when any source failed')
    .action(async (options: { strict?: boolean }) => {
      const { log, load } = context()
      const summary = await runCycle({ config: await load(), log, signal: io.signal })
      io.stdout(formatSummary(summary))
      if (summary.outputFailures.length > 0 || (options.strict && summary.sources.failed > 0)) exitCode = 1
    })

  program
    .command('start')
    .description("the worker: one cycle now, then on the config's cron schedule until SIGINT/SIGTERM")
    .action(async () => {
      const { log, load } = context()
      exitCode = await runWorker(await load(), log, io)
    })

  program
    .command('build')
    .description('regenerate out/ from the store without fetching')
    .action(async () => {
      const { load } = context()
      const result = await buildOutputs(await load())
      io.stdout(`build done: ${result.written.length} files written, ${result.unchanged} unchanged, ${result.failed.length} failed`)
      for (const failure of result.failed) io.stderr(`error: output ${failure.file} not replaced: ${failure.reason}`)
      if (result.failed.length > 0) exitCode = 1
    })

  program
    .command('validate')
    .description('check feeds.config.json and print every problem with its path')
    .option('--print', 'print the resolved config (defaults filled in) when it is valid')
    .action(async (options: { print?: boolean }) => {
      const { configPath, load } = context()
      const config = await load()
      io.stdout(options.print ? JSON.stringify(config, null, 2) : `${configPath}: ok, ${config.sources.length} sources`)
    })

  try {
    await program.parseAsync([...io.argv], { from: 'user' })
    return exitCode
  } catch (err) {
    return reportFailure(err, io)
  }
}

async function loadChecked(path: string, env: CliIo['env']): Promise<Readonly<Config>> {
  const config = await readConfig(path, env)
  const scheduleProblem = checkSchedule(config.schedule)
  if (scheduleProblem) throw new ConfigError([`schedule: ${scheduleProblem}`])
  return config
}

async function runWorker(config: Readonly<Config>, log: Logger, io: CliIo): Promise<number> {
  const fatal = new AbortController()
  const worker = startWorker({
    schedule: config.schedule,
    timezone: config.site.timezone,
    runCycle: async () => {
      try {
        io.stdout(formatSummary(await runCycle({ config, log, signal: io.signal })))
      } catch (err) {
        // A store or lock failure will not fix itself on the next tick.
        fatal.abort(err)
      }
    },
    onSkippedTick: (at) => log.warn(`tick at ${at.toISOString()} skipped: the previous cycle is still running`),
  })
  log.info(`worker started: schedule "${config.schedule}" (${config.site.timezone}); stop with Ctrl-C`)
  await new Promise<void>((resolveStop) => {
    for (const signal of [io.signal, fatal.signal]) {
      if (signal.aborted) resolveStop()
      signal.addEventListener('abort', () => resolveStop(), { once: true })
    }
  })
  if (io.signal.aborted) log.info(`${String(io.signal.reason)}: finishing the running cycle, then stopping`)
  await worker.stop()
  if (fatal.signal.aborted) throw fatal.signal.reason
  return 0
}

function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) return err.exitCode
  if (err instanceof ConfigError) io.stderr(`error: ${err.message}`)
  else if (err instanceof FeedloomError) io.stderr(`error: ${err.message} (${err.code})`)
  else io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  return 1
}
