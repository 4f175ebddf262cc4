import { dirname, isAbsolute, join, relative } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { runCycle, type CycleOptions, type CycleSummary, type SourceDoneEvent } from '../pipeline/run-cycle.js'
import { describePostgresUrl } from '../store/postgres/describe-postgres-url.js'
import type { CommandContext } from './command-context.js'
import { formatSummary } from './format-summary.js'

export type { SourceDoneEvent } from '../pipeline/run-cycle.js'

/**
 * One cycle with the CLI around it: the progress bar (on a TTY), a line per source with --verbose,
 * then the summary on stdout: a line, or one JSON object with the counts under --log-format json.
 * Nothing with --quiet unless something went wrong (warnings and errors go to stderr as always).
 * A dry run also prints, before the summary, each file that would change and why.
 */
export async function runReportedCycle(
  context: CommandContext,
  config: Readonly<Config>,
  extra: Pick<CycleOptions, 'lock' | 'dryRun' | 'onSourceDone'> = {},
): Promise<CycleSummary> {
  const { log, progress } = context
  progress.start(config.sources.length)
  let summary: CycleSummary
  try {
    const { onSourceDone, ...options } = extra
    summary = await runCycle({
      config,
      log,
      signal: context.io.signal,
      ...options,
      onSourceDone: (event) => {
        onSourceDone?.(event)
        progress.tick(event.sourceId)
        log.debug(describeSourceDone(event), { ...event })
      },
    })
  } finally {
    progress.stop()
  }
  for (const file of summary.filesWritten) log.debug(`wrote ${join(config.output.dir, file)}`, { file })
  log.debug(`parse threads started: ${summary.parseThreads}`, { parseThreads: summary.parseThreads })
  if (summary.dryRun !== undefined && context.logFormat === 'text') printDryRun(context, config, summary.dryRun)
  await printSummary(context, summary)
  return summary
}

function printDryRun(context: CommandContext, config: Readonly<Config>, dryRun: NonNullable<CycleSummary['dryRun']>): void {
  const { stdout } = context.io
  const show = (path: string) => {
    const shown = relative(dirname(context.configPath), path)
    return shown.startsWith('..') || isAbsolute(shown) ? path : shown
  }
  for (const change of dryRun.changes) {
    const verb = change.action === 'remove' ? 'would be removed: ' : ''
    stdout(`${show(join(config.output.dir, change.file))}: ${verb}${change.why}`)
  }
  if (dryRun.storeChanged) stdout(`${config.store.url === undefined ? show(config.store.path) : describePostgresUrl(config.store.url)}: would be saved`)
  if (dryRun.hubFeedUrls.length > 0) stdout(`WebSub hub ${config.output.websub?.hub ?? ''}: would be pinged for ${dryRun.hubFeedUrls.length} feeds`)
  if (dryRun.changes.length === 0 && !dryRun.storeChanged) stdout('nothing would change')
}

async function printSummary(context: CommandContext, summary: CycleSummary): Promise<void> {
  if (context.quiet) return
  if (context.logFormat === 'text') {
    context.io.stdout(formatSummary(summary))
    return
  }
  // Only JSON output loads pino.
  const { createLogger } = await import('./create-logger.js')
  createLogger({ write: context.io.stdout, format: 'json' }).info(summary.dryRun ? 'dry run done' : 'cycle done', {
    sources: summary.sources,
    items: summary.items,
    filesWritten: summary.filesWritten.length,
    outputFailures: summary.outputFailures.length,
    storeWritten: summary.storeWritten,
    ...(summary.hub === undefined ? {} : { hub: summary.hub }),
    ...(summary.dryRun === undefined ? {} : { dryRun: summary.dryRun }),
    durationMs: summary.durationMs,
    failures: summary.failures,
  })
}

function describeSourceDone(done: SourceDoneEvent): string {
  const parts: string[] = [done.status]
  if (done.status === 'skipped') parts[0] = done.nextAttemptAt === undefined ? 'skipped' : `skipped, backing off until ${done.nextAttemptAt}`
  if (done.status === 'retired') parts[0] = 'retired (answered 410 Gone), not fetched'
  if (done.status !== 'skipped' && done.status !== 'retired') parts.push(`${done.entries} entries`)
  if (done.error !== undefined) parts.push(`${done.error.code}: ${done.error.message}`)
  if (done.status === 'failed' && done.nextAttemptAt !== undefined) parts.push(`next attempt ${done.nextAttemptAt}`)
  parts.push(`${done.durationMs} ms`)
  return `source ${done.sourceId}: ${parts.join(', ')}`
}
