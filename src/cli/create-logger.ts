import { pino } from 'pino'
import { type CliLogger, createTextLogger, type LogFormat, type LogLevel } from './create-text-logger.js'

export type { CliLogger, LogFormat, LogLevel } from './create-text-logger.js'

export interface CreateLoggerOptions {
  /** Receives one finished line at a time, without its newline. */
  write: (line: string) => void
  /** @default 'text' */
  format?: LogFormat
  /** @default 'info' */
  level?: LogLevel
}

/**
 * `text`: plain lines a person reads on a terminal (`warning: …`, `error: …`); fields are left out,
 * the message already names the source. `json`: one pino object per line, fields camelCase
 * (`sourceId`, `code`, `url`, `durationMs`), level as a word and an ISO time, for background jobs.
 * The CLI imports this module only for `json` (pino takes ~15 ms to load); text goes straight to
 * create-text-logger.ts.
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
  return createTextLogger(write, level)
}
