import type { Config } from '../config/config-schema.js'
import { describeError, UsageError } from '../errors.js'
import type { CycleSummary, SourceDoneEvent } from '../pipeline/run-cycle.js'
import { measureLowdbStoreBytes } from '../store/lowdb/measure-lowdb-store.js'
import { acquireStoreLock } from '../store/store-lock.js'
import type { Logger } from '../types.js'
import { describeConfigChange } from './describe-config-change.js'
import type { MetricsServer } from './serve-metrics.js'
import { startWorker } from './start-worker.js'
import { watchConfig } from './watch-config.js'

export interface RunWorkerOptions {
  /** feeds.config.json, watched for changes. */
  configPath: string
  /** Rereads and validates the config. */
  loadConfig: () => Promise<Readonly<Config>>
  /** One cycle, with whatever reporting the caller puts around it; the worker already holds the store lock. */
  runCycle: (config: Readonly<Config>, hooks: { onSourceDone: (event: SourceDoneEvent) => void }) => Promise<CycleSummary>
  log: Logger
  /** Aborted when the worker is asked to stop: it finishes the running cycle, then returns. */
  signal: AbortSignal
  /** Dispatches a `hangup` event on each SIGHUP, which asks the worker to reread its config. */
  hangups?: EventTarget | undefined
  /** Where to serve Prometheus metrics and the health check, if anywhere. */
  metrics?: { host: string; port: number } | undefined
  /** Told the metrics server's base URL once it listens. */
  onMetricsListening?: (url: string) => void
}

/**
 * The worker behind `feedloom start`. It holds the store lock for its whole life, not only during cycles: a
 * `run` from cron between two ticks would otherwise slip in, and the worker's next cycle would
 * find the store taken. It rereads feeds.config.json when the file changes or on SIGHUP, before
 * its next cycle, and keeps the config it has when the new one is invalid.
 */
export async function runWorker(initial: Readonly<Config>, options: RunWorkerOptions): Promise<number> {
  const { log, signal, hangups } = options
  let config = initial
  let reread: string | undefined
  const requestReread = (why: string) => {
    reread ??= why
  }
  const stopWatching = watchConfig(options.configPath, () => requestReread('file changed'))
  const onHangup = () => requestReread('SIGHUP')
  hangups?.addEventListener('hangup', onHangup)

  /** Between cycles only: a cycle never sees its sources change under it. */
  const applyReread = async () => {
    if (reread === undefined) return
    const why = reread
    reread = undefined
    let next: Readonly<Config>
    try {
      next = await options.loadConfig()
    } catch (err) {
      log.error(`config ${options.configPath} not reloaded (${why}), keeping the previous one: ${describeError(err).message}`, { code: describeError(err).code })
      return
    }
    if (next.store.path !== config.store.path || next.store.url !== config.store.url) {
      log.error(`config not reloaded (${why}): the store (store.path or store.url) changed; restart the worker to move to another store`)
      return
    }
    const change = describeConfigChange(config, next)
    if (next.schedule !== config.schedule || next.site.timezone !== config.site.timezone) {
      log.warn(`schedule "${next.schedule}" (${next.site.timezone}) takes effect when the worker restarts; it keeps "${config.schedule}" (${config.site.timezone}) until then`)
    }
    config = next
    log.info(change === undefined ? `config reread (${why}): no change` : `config reloaded (${why}): ${change}`)
  }

  // The worker holds the lock for its whole life, so a `run` from cron cannot slip in between
  // ticks. A PostgreSQL store has none: its transactions and unique constraints let processes share it.
  const lock = config.store.url === undefined ? await acquireStoreLock(config.store.path, { holder: 'feedloom start' }) : undefined
  let metrics: MetricsServer | undefined
  try {
    const fatal = new AbortController()
    let periodMs = 0
    if (options.metrics !== undefined) metrics = await listenForMetrics(options.metrics, () => periodMs, options.onMetricsListening)
    const worker = startWorker({
      schedule: config.schedule,
      timezone: config.site.timezone,
      runCycle: async () => {
        const startedMs = performance.now()
        try {
          await applyReread()
          const summary = await options.runCycle(config, {
            onSourceDone: (event) => metrics?.observeSource(event.sourceId, event.status, event.durationMs),
          })
          // A PostgreSQL store's size is the database server's to report.
          const storeBytes = config.store.url === undefined ? await measureLowdbStoreBytes(config.store.path) : undefined
          metrics?.observeCycle({ ok: true, durationMs: summary.durationMs, items: summary.items, ...(storeBytes === undefined ? {} : { storeBytes }) })
        } catch (err) {
          metrics?.observeCycle({ ok: false, durationMs: performance.now() - startedMs, items: { added: 0, updated: 0, merged: 0, pruned: 0 } })
          // A store failure will not fix itself on the next tick.
          fatal.abort(err)
        }
      },
      onSkippedTick: (at) => log.warn(`tick at ${at.toISOString()} skipped: the previous cycle is still running`),
    })
    periodMs = worker.periodMs
    log.info(`worker started: schedule "${config.schedule}" (${config.site.timezone}); rereads ${options.configPath} when it changes; stop with Ctrl-C`)
    await Promise.race([whenAborted(signal), whenAborted(fatal.signal)])
    if (signal.aborted) log.info(`${String(signal.reason)}: finishing the running cycle, then stopping`)
    await worker.stop()
    if (fatal.signal.aborted) throw fatal.signal.reason
    return 0
  } finally {
    await metrics?.close()
    stopWatching()
    hangups?.removeEventListener('hangup', onHangup)
    await lock?.release()
  }
}

async function listenForMetrics(
  address: { host: string; port: number },
  periodMs: () => number,
  onListening: ((url: string) => void) | undefined,
): Promise<MetricsServer> {
  const { serveMetrics } = await import('./serve-metrics.js')
  let server: MetricsServer
  try {
    server = await serveMetrics({ ...address, periodMs })
  } catch (cause) {
    throw new UsageError(`--metrics: cannot listen on ${address.host}:${address.port}: ${(cause as Error).message}`, undefined, { cause })
  }
  onListening?.(server.url)
  return server
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolveAbort) => signal.addEventListener('abort', () => resolveAbort(), { once: true }))
}
