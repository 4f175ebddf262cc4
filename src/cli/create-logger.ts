import type { Logger } from '../types.js'

/** Plain lines on stderr, so stdout carries only what a command prints as its result. */
export function createLogger(write: (line: string) => void, { quiet = false } = {}): Logger {
  return {
    info: (message) => {
      if (!quiet) write(message)
    },
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  }
}
