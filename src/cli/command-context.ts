import type { Config } from '../config/config-schema.js'
import type { ConfigFile } from '../config/read-config.js'
import type { CliLogger, LogFormat } from './create-text-logger.js'
import type { CycleProgress, ProgressStream } from './create-progress.js'

/** Everything a command may touch of the outside world; bin.ts fills it from process.*, tests from arrays. */
export interface CliIo {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  /** One line of a command's result, without its newline. */
  stdout: (line: string) => void
  /** One line of log output, without its newline. */
  stderr: (line: string) => void
  /** Aborted when the user asks the process to stop (SIGINT/SIGTERM); the reason is the signal's name. */
  signal: AbortSignal
  /** Dispatches a `hangup` event on each SIGHUP, which asks the worker to reread its config. */
  hangups?: EventTarget
  /**
   * The terminal the cycle progress bar draws on: bin.ts passes process.stderr only when it is a
   * TTY. Absent (tests, pipes, log files): no bar and no escape codes.
   */
  progressStream?: ProgressStream
}

/** What every command gets from the global options. */
export interface CommandContext {
  io: CliIo
  /** Absolute path of feeds.config.json (--config). */
  configPath: string
  log: CliLogger
  logFormat: LogFormat
  quiet: boolean
  verbose: boolean
  /** The cycle progress bar; does nothing unless io.progressStream is a TTY and output is text. */
  progress: CycleProgress
  /** Reads and validates the config (its schedule included). */
  load(): Promise<Readonly<Config>>
  /** Reads and validates the config and hands back its text, for commands that edit the file. */
  loadFile(): Promise<ConfigFile>
}
