import type CliProgress from 'cli-progress'
import { createRequire } from 'node:module'

/**
 * cli-progress is required when a bar is drawn (a person at a terminal), not at startup: a `run`
 * from cron or a pipe never loads it.
 */
const requireCjs = createRequire(import.meta.url)

export interface CycleProgress {
  /** Shows the bar for a cycle over `total` sources. */
  start(total: number): void
  /** One source finished. */
  tick(sourceId: string): void
  /** Removes the bar, printing any lines logged while it was up. */
  stop(): void
  /**
   * Prints a log line above the bar while it is up, so the two do not garble each other.
   * @returns false when no bar is up: the caller writes the line itself
   */
  log(line: string): boolean
}

/** A terminal stream: process.stderr when it is a TTY. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean }

const NO_PROGRESS: CycleProgress = { start() {}, tick() {}, stop() {}, log: () => false }

/**
 * A progress bar for one cycle, drawn only on a TTY: without a stream, or on one that is not a
 * terminal (a pipe, a log file, a test), every call does nothing, so no escape code ever reaches
 * non-TTY output.
 */
export function createProgress(stream: ProgressStream | undefined): CycleProgress {
  if (stream?.isTTY !== true) return NO_PROGRESS
  const cliProgress = requireCjs('cli-progress') as typeof CliProgress
  let bars: CliProgress.MultiBar | undefined
  let bar: CliProgress.SingleBar | undefined
  return {
    start(total) {
      bars = new cliProgress.MultiBar({
        stream,
        format: 'cycle [{bar}] {value}/{total} sources {sourceId}',
        barsize: 24,
        clearOnComplete: true,
        hideCursor: true,
        // bin.ts owns SIGINT/SIGTERM: the cycle finishes and stop() runs.
        gracefulExit: false,
      })
      bar = bars.create(total, 0, { sourceId: '' })
    },
    tick(sourceId) {
      bar?.increment(1, { sourceId })
    },
    stop() {
      if (bars === undefined) return
      bars.update()
      bars.stop()
      bars = undefined
      bar = undefined
    },
    log(line) {
      if (bars === undefined) return false
      bars.log(`${line}\n`)
      return true
    },
  }
}
