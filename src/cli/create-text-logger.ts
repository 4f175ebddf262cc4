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
 * pino: a `run` from cron starts a new process every cycle.
 */
export function createTextLogger(write: (line: string) => void, level: LogLevel = 'info'): CliLogger {
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
