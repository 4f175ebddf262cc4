import type { Logger } from '../types.js'

export type LogFormat = 'text' | 'json'

/** `warn`: --quiet; `info`: the default; `debug`: --verbose (per-source lines, files written, requests served). */
export type LogLevel = 'warn' | 'info' | 'debug'

export interface CliLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void
}

const RANK: Record<LogLevel | 'error', number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * Plain lines a person reads on a terminal (`warning: …`, `error: …`); fields are left out, the
 * message already names the source. Apart from create-logger.ts so that text output never loads
 * pino: a `run` from cron starts a new process every cycle. With `clock`, each line starts with
 * the ISO time, for processes that run for days and whose lines end up in a journal or a file.
 */
export function createTextLogger(write: (line: string) => void, level: LogLevel = 'info', clock?: () => Date): CliLogger {
  const enabled = (at: LogLevel | 'error') => RANK[at] >= RANK[level]
  const line = (text: string) => write(clock === undefined ? text : `${clock().toISOString()} ${text}`)
  return {
    debug: (message) => {
      if (enabled('debug')) line(message)
    },
    info: (message) => {
      if (enabled('info')) line(message)
    },
    warn: (message) => {
      if (enabled('warn')) line(`warning: ${message}`)
    },
    error: (message) => line(`error: ${message}`),
  }
}
