import { pino } from 'pino'
import type { Logger } from '../types.js'

export type LogFormat = 'text' | 'json'

/** `warn`: --quiet; `info`: the default; `debug`: --verbose (per-source lines, files written, requests served). */
export type LogLevel = 'warn' | 'info' | 'debug'

export interface CliLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void
}

export interface CreateLoggerOptions {
  /** Receives one finished line at a time, without its newline. */
  write: (line: string) => void
  /** @default 'text' */
  format?: LogFormat
  /** @default 'info' */
  level?: LogLevel
}

const RANK: Record<LogLevel | 'error', number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * `text`: plain lines a person reads on a terminal (`warning: …`, `error: …`); fields are left out,
 * the message already names the source. `json`: one pino object per line, fields camelCase
 * (`sourceId`, `code`, `url`, `durationMs`), level as a word and an ISO time, for background jobs.
 */
export function createLogger({ write, format = 'text', level = 'info' }: CreateLoggerOptions): CliLogger {
  if (format === 'json') {
    const logger = pino(
      {
        level,
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      { write: (chunk: string) => write(chunk.replace(/\n$/, '')) },
    )
    return {
      debug: (message, fields) => logger.debug(fields ?? {}, message),
      info: (message, fields) => logger.info(fields ?? {}, message),
      warn: (message, fields) => logger.warn(fields ?? {}, message),
      error: (message, fields) => logger.error(fields ?? {}, message),
    }
  }
  const enabled = (at: LogLevel | 'error') => RANK[at] >= RANK[level]
  return {
    debug: (message) => {
      if (enabled('debug')) write(message)
    },
    info: (message) => {
      if (enabled('info')) write(message)
    },
    warn: (message) => {
      if (enabled('warn')) write(`warning: ${message}`)
    },
    error: (message) => write(`error: ${message}`),
  }
}
