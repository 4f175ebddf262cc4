import { join } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { formatSummary, runCycle, type CycleOptions, type CycleSummary } from '../pipeline/run-cycle.js'
import type { CommandContext } from './command-context.js'
import { createLogger } from './create-logger.js'

/** What the pipeline reports as each source finishes; read defensively, see `onSourceDone` below. */
export interface SourceDoneEvent {
  sourceId: string
  status?: string
  entries?: number
  durationMs?: number
  error?: { code: string; message: string }
}

/**
 * One cycle with the CLI around it: the progress bar (on a TTY), a line per source with --verbose,
 * then the summary on stdout: a line, or one JSON object with the counts under --log-format json.
 * Nothing with --quiet unless something went wrong (warnings and errors go to stderr as always).
 */
export async function runReportedCycle(context: CommandContext, config: Readonly<Config>): Promise<CycleSummary> {
  const { log, progress } = context
  const options: CycleOptions & { onSourceDone: (event: unknown) => void } = {
    config,
    log,
    signal: context.io.signal,
    // runCycle calls this once a source is done, when it supports it (a string id or a
    // SourceDoneEvent); until then the bar stays at 0 and simply disappears at the end.
    onSourceDone: (event) => {
      const done = toSourceDoneEvent(event)
      if (done === undefined) return
      progress.tick(done.sourceId)
      log.debug(describeSourceDone(done), { ...done })
    },
  }
  progress.start(config.sources.length)
  let summary: CycleSummary
  try {
    summary = await runCycle(options)
  } finally {
    progress.stop()
  }
  for (const file of summary.filesWritten) log.debug(`wrote ${join(config.output.dir, file)}`, { file })
  printSummary(context, summary)
  return summary
}

function printSummary(context: CommandContext, summary: CycleSummary): void {
  if (context.quiet) return
  if (context.logFormat === 'text') {
    context.io.stdout(formatSummary(summary))
    return
  }
  createLogger({ write: context.io.stdout, format: 'json' }).info('cycle done', {
    sources: summary.sources,
    items: summary.items,
    filesWritten: summary.filesWritten.length,
    outputFailures: summary.outputFailures.length,
    storeWritten: summary.storeWritten,
    durationMs: summary.durationMs,
    failures: summary.failures,
  })
}

function toSourceDoneEvent(event: unknown): SourceDoneEvent | undefined {
  if (typeof event === 'string') return { sourceId: event }
  if (typeof event !== 'object' || event === null) return undefined
  const fields = event as Record<string, unknown>
  if (typeof fields.sourceId !== 'string') return undefined
  const entries = Array.isArray(fields.entries) ? fields.entries.length : fields.entries
  const error = fields.error as SourceDoneEvent['error'] | undefined
  return {
    sourceId: fields.sourceId,
    ...(typeof fields.status === 'string' ? { status: fields.status } : {}),
    ...(typeof entries === 'number' ? { entries } : {}),
    ...(typeof fields.durationMs === 'number' ? { durationMs: fields.durationMs } : {}),
    ...(typeof error?.code === 'string' ? { error: { code: error.code, message: String(error.message) } } : {}),
  }
}

function describeSourceDone(done: SourceDoneEvent): string {
  const parts = [done.status ?? 'done']
  if (done.entries !== undefined) parts.push(`${done.entries} entries`)
  if (done.error !== undefined) parts.push(`${done.error.code}: ${done.error.message}`)
  if (done.durationMs !== undefined) parts.push(`${done.durationMs} ms`)
  return `source ${done.sourceId}: ${parts.join(', ')}`
}
