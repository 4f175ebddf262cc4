import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { ConfigError, FeedloomError, StoreError, StoreLockedError, UsageError } from '../errors.js'
import type { AddSourceOptions } from '../manage/add-source.js'
// store-lock.ts, not open-store.ts: the lock needs node:fs only, the store needs lowdb.
import type { AcquireStoreLockOptions } from '../store/store-lock.js'
import { escapeTerminalText } from '../text/escape-terminal-text.js'
import type { CliIo, CommandContext } from './command-context.js'
import { createProgress } from './create-progress.js'
import { type CliLogger, createTextLogger, type LogFormat, type LogLevel } from './create-text-logger.js'
import { describeStoreRecovery } from './describe-store-recovery.js'

/*
 * Every `feedloom run` from cron is a new process, so startup is paid on each cycle: each command
 * imports its own modules (the config and zod, the pipeline and undici, the store, serve, OPML,
 * pino for JSON logs) when it runs. `--help` loads none of them.
 */

export type { CliIo } from './command-context.js'

interface WaitOptions {
  wait?: boolean
  /** Seconds. */
  waitTimeout?: number
}

/** How long `--wait` waits for the store lock when `--wait-timeout` is not given: one five-minute schedule tick. */
const DEFAULT_WAIT_SECONDS = 300

interface GlobalOptions {
  config: string
  quiet?: boolean
  verbose?: boolean
  logFormat: LogFormat
}

/**
 * The version in feedloom's package.json, looked for from this file upwards: src/cli/, dist/cli/,
 * dist/bundle/ and the kill tests' bundle each sit at a different depth.
 */
function readVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const version = readPackageVersion(new URL('package.json', dir))
    if (version !== undefined) return version
    if (dir.pathname === '/') return 'unknown'
  }
}

function readPackageVersion(file: URL): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
    return pkg.name === 'feedloom' && typeof pkg.version === 'string' ? pkg.version : undefined
  } catch {
    // No package.json here, or not feedloom's: look further up.
    return undefined
  }
}

/** Parses argv, runs one command and returns its exit code. Touches no process.* itself: bin.ts does. */
export async function runMain(terminal: CliIo): Promise<number> {
  // Lines carry text from feeds and servers (titles, error messages): none may drive the terminal.
  const io: CliIo = {
    ...terminal,
    stdout: (line) => terminal.stdout(escapeTerminalText(line)),
    stderr: (line) => terminal.stderr(escapeTerminalText(line)),
  }
  let exitCode = 0
  let context: CommandContext | undefined
  /** The store a failure may be about, once the config is read. */
  let storePath: string | undefined
  const program = new Command('feedloom')
    .description('Self-hosted RSS/Atom aggregator and publisher')
    .version(readVersion(), '-V, --version', 'print the version')
    .option('-c, --config <path>', 'path of feeds.config.json', './feeds.config.json')
    .option('-q, --quiet', 'print only warnings and errors')
    .option('-v, --verbose', 'also print a line per source, per file written and per request served')
    .addOption(
      new Option('--log-format <format>', 'text: lines for people; json: one JSON object per line, for log collectors (env FEEDLOOM_LOG_FORMAT)')
        .choices(['text', 'json'])
        .default(io.env.FEEDLOOM_LOG_FORMAT === 'json' ? 'json' : 'text'),
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: (text) => io.stderr(text.trimEnd()) })
    .showHelpAfterError()

  /**
   * Built once, on first use, from the global options (they may come after the command name).
   * `timestamps`: text lines start with the ISO time, for the commands that run for days.
   */
  const ctx = async (timestamps = false): Promise<CommandContext> => {
    if (context !== undefined) return context
    const options = program.opts<GlobalOptions>()
    const configPath = resolve(options.config)
    const level: LogLevel = options.quiet ? 'warn' : options.verbose ? 'debug' : 'info'
    // A bar between JSON lines would break them for a collector; quiet means quiet.
    const progress = createProgress(options.logFormat === 'text' && level !== 'warn' ? io.progressStream : undefined)
    const write = (line: string) => progress.log(escapeTerminalText(line)) || io.stderr(line)
    const log =
      options.logFormat === 'json' ? (await import('./create-logger.js')).createLogger({ write, format: 'json', level }) : createTextLogger(write, level, timestamps ? () => new Date() : undefined)
    context = {
      io,
      configPath,
      log,
      logFormat: options.logFormat,
      quiet: level === 'warn',
      verbose: level === 'debug',
      progress,
      load: async () => {
        const config = await loadChecked(configPath, io.env)
        storePath = config.store.path
        return config
      },
      loadFile: async () => (await import('../config/read-config.js')).readConfigFile(configPath, io.env),
    }
    return context
  }

  program
    .command('init')
    .description('write a starter feeds.config.json (never over an existing one)')
    .action(async () => {
      const context = await ctx()
      const { writeStarterConfig } = await import('../manage/write-starter-config.js')
      await writeStarterConfig(context.configPath)
      context.io.stdout(`wrote ${context.configPath}: set site.title and site.url, add sources with feedloom add <url>, then feedloom run`)
    })

  program
    .command('run')
    .description('run one cycle now: fetch due sources, update the store, publish what changed, then exit')
    .option('--strict', 'exit 1 when any source failed')
    .option('--dry-run', 'fetch and compute everything, write nothing, and print what would change in each output file and why')
    .addOption(createWaitOption())
    .addOption(createWaitTimeoutOption())
    .action(async (options: { strict?: boolean; dryRun?: boolean } & WaitOptions) => {
      const context = await ctx()
      const { runReportedCycle } = await import('./report-cycle.js')
      const summary = await runReportedCycle(context, await context.load(), {
        lock: createLockOptions(context, 'feedloom run', options),
        dryRun: options.dryRun === true,
      })
      // A source skipped while it backs off is still failing: it failed last time and was not retried.
      const failing = summary.sources.failed + summary.sources.skipped + summary.sources.retired
      if (summary.outputFailures.length > 0 || (options.strict && failing > 0)) exitCode = 1
    })

  program
    .command('start')
    .description("the worker: one cycle now, then on the config's cron schedule until SIGINT/SIGTERM")
    .option('--metrics <host:port>', 'serve Prometheus metrics at /metrics and a health check at /healthz on this address', parseHostPort)
    .action(async (options: { metrics?: { host: string; port: number } }) => {
      const context = await ctx(true)
      const [{ runWorker }, { runReportedCycle }] = await Promise.all([import('../schedule/run-worker.js'), import('./report-cycle.js')])
      exitCode = await runWorker(await context.load(), {
        configPath: context.configPath,
        loadConfig: context.load,
        runCycle: (config, { onSourceDone }) => runReportedCycle(context, config, { lock: 'held', onSourceDone }),
        log: context.log,
        signal: context.io.signal,
        hangups: context.io.hangups,
        metrics: options.metrics,
        onMetricsListening: (url) => context.io.stdout(`metrics at ${url}metrics, health at ${url}healthz`),
      })
    })

  program
    .command('worker')
    .description('take source jobs from the queue in the PostgreSQL store (store.url) until SIGINT/SIGTERM; run as many as you like, on any machines')
    .option('--concurrency <n>', 'jobs this worker runs at once (default queue.concurrency, else fetch.concurrency)', parsePositiveInt)
    .option('--name <name>', 'name shown by feedloom status (default host:pid)')
    .action(async (options: { concurrency?: number; name?: string }) => {
      const context = await ctx(true)
      const config = await context.load()
      const [{ runQueueWorker }, { openQueue }] = await Promise.all([import('../schedule/run-queue-worker.js'), import('./open-queue.js')])
      const queue = await openQueue(context, config, 'feedloom worker')
      try {
        await runQueueWorker({
          config,
          queue,
          name: options.name ?? `${queue.host}:${queue.pid}`,
          concurrency: options.concurrency ?? config.queue.concurrency ?? config.fetch.concurrency,
          log: context.log,
          signal: context.io.signal,
        })
      } finally {
        await queue.close()
      }
    })

  program
    .command('publish')
    .description("regenerate out/ from a PostgreSQL store's changes; with --watch keep doing so as workers store items (one publisher at a time)")
    .option('--watch', 'run until SIGINT/SIGTERM, publishing within a second of each stored change; a second publisher stands by')
    .action(async (options: { watch?: boolean }) => {
      const context = await ctx(options.watch === true)
      const { runPublisher } = await import('./run-publisher.js')
      exitCode = await runPublisher(context, await context.load(), options)
    })

  program
    .command('build')
    .description('regenerate out/ from the store without fetching')
    .addOption(createWaitOption())
    .addOption(createWaitTimeoutOption())
    .action(async (options: WaitOptions) => {
      const context = await ctx()
      const { io, log, load } = context
      const config = await load()
      const { buildOutputs } = await import('../pipeline/build-outputs.js')
      const result = await buildOutputs(config, { log, lock: createLockOptions(context, 'feedloom build', options) })
      for (const file of result.written) log.debug(`wrote ${join(config.output.dir, file)}`, { file })
      io.stdout(`build done: ${result.written.length} files written, ${result.unchanged} unchanged, ${result.failed.length} failed`)
      for (const failure of result.failed) log.error(`output ${failure.file} not replaced: ${failure.reason}`, { file: failure.file })
      if (result.failed.length > 0) exitCode = 1
    })

  const storeCommand = program.command('store').description('check the store, restore its backup, copy it to another path or database, or migrate a PostgreSQL one')
  storeCommand
    .command('check')
    .description('verify the store: every index entry has its body, no orphan segment, counts right; prints each problem and exits 1 on any')
    .action(async () => {
      const context = await ctx()
      const { checkStore } = await import('./store-commands.js')
      exitCode = await checkStore(context, await context.load())
    })
  storeCommand
    .command('copy')
    .description('copy the whole store into an empty one (a lowdb path, or a database url)')
    .requiredOption('--to <path or url>', 'where to copy it: a new store path (store/copy.json) or a database url')
    .action(async (options: { to: string }) => {
      const context = await ctx()
      const { copyStoreTo } = await import('./store-commands.js')
      exitCode = await copyStoreTo(context, await context.load(), options.to)
    })
  storeCommand
    .command('restore')
    .description('put the commit before the last one back (db.json.bak, checked first) and keep the damaged head aside')
    .action(async () => {
      const context = await ctx()
      const { restoreStore } = await import('./store-commands.js')
      exitCode = await restoreStore(context, await context.load())
    })
  storeCommand
    .command('migrate')
    .description("create or update a PostgreSQL store's schema (store.url), printing each step applied")
    .action(async () => {
      const context = await ctx()
      const { migrateStore } = await import('./migrate-store.js')
      exitCode = await migrateStore(context, await context.load())
    })

  program
    .command('status')
    .description('per-source health from the store; exits 2 when a source has failed for longer than health.alertAfterHours')
    .option('--json', 'print a JSON array of objects with id, state, lastSuccessAt, lastError, consecutiveFailures, nextAttemptAt, itemsSeen…')
    .action(async (options: { json?: boolean }) => {
      const context = await ctx()
      const config = await context.load()
      const { printStatus } = await import('./print-status.js')
      exitCode = await printStatus(context, config, options)
    })

  program
    .command('validate')
    .description('check feeds.config.json and print every problem with its path')
    .option('--print', 'print the resolved config (defaults filled in) when it is valid')
    .action(async (options: { print?: boolean }) => {
      const { io, configPath, load } = await ctx()
      const config = await load()
      io.stdout(options.print ? JSON.stringify(config, null, 2) : `${configPath}: ok, ${config.sources.length} sources`)
    })

  program
    .command('add')
    .description('add a feed (or the feed an HTML page links to) to feeds.config.json')
    .argument('<url>', 'a feed, a JSON Feed or news API, or a page with <link rel="alternate"> feeds')
    .option('--id <id>', "source id (default: a slug of the feed's title or host)")
    .option('--category <category>', 'category slug, or a title to make one from (每日经济新闻 → meirijingjixinwen)')
    .addOption(new Option('--type <type>', 'force the source type (default: detected)').choices(['feed', 'json', 'share']))
    .option('--title <title>', "title to show (default: the feed's own)")
    .action(async (url: string, options: Omit<AddSourceOptions, 'url'>) => {
      const context = await ctx()
      const { addSourceCommand } = await import('./source-commands.js')
      exitCode = await addSourceCommand(context, { ...options, url })
    })

  program
    .command('remove')
    .description('remove a source from feeds.config.json')
    .argument('<id>', 'source id (see feedloom list)')
    .action(async (id: string) => {
      const context = await ctx()
      const { removeSourceCommand } = await import('./source-commands.js')
      exitCode = await removeSourceCommand(context, id)
    })

  program
    .command('list')
    .description('list the configured sources')
    .option('--json', 'print a JSON array of objects with id, type, title, category and url (urls for share sources)')
    .action(async (options: { json?: boolean }) => {
      const context = await ctx()
      const { listSources } = await import('./source-commands.js')
      exitCode = await listSources(context, options)
    })

  program
    .command('import-opml')
    .description("add the feeds of an OPML file (a reader's export); folders become categories")
    .argument('<file>', 'OPML 1.0 or 2.0 file')
    .action(async (file: string) => {
      const context = await ctx()
      const { importOpmlCommand } = await import('./source-commands.js')
      exitCode = await importOpmlCommand(context, file)
    })

  program
    .command('export-opml')
    .description('write the feed sources as OPML 2.0, one folder per category')
    .option('-o, --output <file>', 'write to this file (atomically) instead of stdout')
    .action(async (options: { output?: string }) => {
      const context = await ctx()
      const { exportOpmlCommand } = await import('./source-commands.js')
      exitCode = await exportOpmlCommand(context, options)
    })

  program
    .command('serve')
    .description('serve the output folder over HTTP: feed content types, ETag/304, gzip and br')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .action(async (options: { host: string; port: number }) => {
      const context = await ctx(true)
      exitCode = await serveOutput(context, await context.load(), options)
    })

  try {
    await program.parseAsync([...io.argv], { from: 'user' })
    return exitCode
  } catch (err) {
    return reportFailure(err, io, context, storePath)
  }
}

async function loadChecked(path: string, env: CliIo['env']): Promise<Readonly<Config>> {
  const [{ readConfig }, { checkSchedule }] = await Promise.all([import('../config/read-config.js'), import('../schedule/start-worker.js')])
  const config = await readConfig(path, env)
  const scheduleProblem = checkSchedule(config.schedule)
  if (scheduleProblem) throw new ConfigError([`schedule: ${scheduleProblem}`])
  return config
}

function createWaitOption(): Option {
  return new Option('--wait', 'when another feedloom holds the store, wait for it to let go instead of exiting 1')
}

function createWaitTimeoutOption(): Option {
  return new Option('--wait-timeout <seconds>', `give up waiting for the store after this long (implies --wait; default ${DEFAULT_WAIT_SECONDS})`).argParser(
    parseSeconds,
  )
}

/** The store lock for a command: named after it, waited for with --wait, and given up on Ctrl-C. */
function createLockOptions(context: CommandContext, holder: string, options: WaitOptions): AcquireStoreLockOptions {
  const isWaiting = options.wait === true || options.waitTimeout !== undefined
  const waitSeconds = options.waitTimeout ?? DEFAULT_WAIT_SECONDS
  return {
    holder,
    waitMs: isWaiting ? waitSeconds * 1000 : 0,
    signal: context.io.signal,
    onWait: (owner) => {
      const holderText = owner === undefined ? 'another process' : `${owner.holder ?? 'another feedloom'} (pid ${owner.pid}, since ${owner.createdAt})`
      context.log.info(`store is in use by ${holderText}; waiting up to ${waitSeconds} s for it`, owner === undefined ? {} : { pid: owner.pid })
    },
  }
}

async function serveOutput(context: CommandContext, config: Readonly<Config>, options: { host: string; port: number }): Promise<number> {
  const { io, log } = context
  const dir = config.output.dir
  // Served before the first cycle has written anything: 404s until it has.
  await mkdir(dir, { recursive: true })
  const { serveDirectory } = await import('../serve/serve-directory.js')
  let server: Awaited<ReturnType<typeof serveDirectory>>
  try {
    server = await serveDirectory({
      dir,
      host: options.host,
      port: options.port,
      onResponse: (entry) => log.debug(`${entry.method} ${entry.path} ${entry.status} ${entry.bytes} B ${entry.durationMs} ms`, { ...entry }),
    })
  } catch (cause) {
    throw new UsageError(`cannot listen on ${options.host}:${options.port}: ${(cause as Error).message}`, undefined, { cause })
  }
  io.stdout(`serving ${dir} at ${server.url}`)
  await whenAborted(io.signal)
  await server.close()
  log.info(`${String(io.signal.reason)}: stopped serving`)
  return 0
}

function parseSeconds(value: string): number {
  const seconds = Number(value)
  if (!/^\d+$/.test(value) || seconds > 86_400) throw new InvalidArgumentError('must be a whole number of seconds from 0 to 86400')
  return seconds
}

/** `127.0.0.1:9464`, `[::1]:9464`, or `:9464` for every address. */
function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value)
  if (!match) throw new InvalidArgumentError('must be host:port, such as 127.0.0.1:9464')
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port: parsePort(match[3] ?? '') }
}

function parsePositiveInt(value: string): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < 1 || number > 10_000) throw new InvalidArgumentError('must be a whole number from 1 to 10000')
  return number
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535')
  return port
}

function describeLockHint(err: StoreLockedError): string {
  if (err.owner === undefined) return `if no feedloom is running, delete ${err.lockPath}`
  const holder = err.owner.holder === 'feedloom start' ? 'the worker runs cycles itself; stop it before running by hand' : 'wait for it to finish'
  return `${holder}, or pass --wait to queue behind it. If pid ${err.owner.pid} is not feedloom, the lock was left behind: delete ${err.lockPath}`
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolveAbort) => signal.addEventListener('abort', () => resolveAbort(), { once: true }))
}

/** The one place errors become messages and exit codes. */
function reportFailure(err: unknown, io: CliIo, context: CommandContext | undefined, storePath: string | undefined): number {
  if (err instanceof CommanderError) return err.exitCode
  const error: CliLogger['error'] = context?.log.error ?? ((message) => io.stderr(`error: ${message}`))
  if (err instanceof UsageError) {
    // In JSON the hint is a field of the error object; on a terminal, a line of its own.
    error(err.message, err.hint === undefined ? {} : { hint: err.hint })
    if (err.hint !== undefined && context?.logFormat !== 'json') io.stderr(`hint: ${err.hint}`)
  } else if (err instanceof ConfigError) error(err.message, { code: err.code, issues: err.issues })
  else if (err instanceof StoreLockedError) {
    const hint = describeLockHint(err)
    error(`${err.message} (${err.code})`, { code: err.code, pid: err.owner?.pid, hint })
    if (context?.logFormat !== 'json') io.stderr(`hint: ${hint}`)
  }
  else if (err instanceof StoreError && err.code === 'E_STORE_CORRUPT') {
    const hint = describeStoreRecovery(storePath)
    error(`${err.message} (${err.code})`, { code: err.code, hint })
    if (context?.logFormat !== 'json') io.stderr(`hint: ${hint}`)
  } else if (err instanceof FeedloomError) error(`${err.message} (${err.code})`, { code: err.code })
  else error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  return 1
}
