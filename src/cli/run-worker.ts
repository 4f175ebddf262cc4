import type { Config } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import { startWorker } from '../schedule/start-worker.js'
import { watchConfig } from '../schedule/watch-config.js'
import { acquireStoreLock } from '../store/store-lock.js'
import type { CommandContext } from './command-context.js'
import { describeConfigChange } from './describe-config-change.js'
import { runReportedCycle } from './report-cycle.js'

/**
 * `feedloom start`. The worker holds the store lock for its whole life, not only during cycles: a
 * `run` from cron between two ticks would otherwise slip in, and the worker's next cycle would
 * find the store taken. It rereads feeds.config.json when the file changes or on SIGHUP, before
 * its next cycle, and keeps the config it has when the new one is invalid.
 */
export async function runWorker(context: CommandContext, initial: Readonly<Config>): Promise<number> {
  const { io, log } = context
  let config = initial
  let reread: string | undefined
  const requestReread = (why: string) => {
    reread ??= why
  }
  const stopWatching = watchConfig(context.configPath, () => requestReread('file changed'))
  const onHangup = () => requestReread('SIGHUP')
  io.hangups?.addEventListener('hangup', onHangup)

  /** Between cycles only: a cycle never sees its sources change under it. */
  const applyReread = async () => {
    if (reread === undefined) return
    const why = reread
    reread = undefined
    let next: Readonly<Config>
    try {
      next = await context.load()
    } catch (err) {
      log.error(`config ${context.configPath} not reloaded (${why}), keeping the previous one: ${describeError(err).message}`, { code: describeError(err).code })
      return
    }
    if (next.store.path !== config.store.path) {
      log.error(`config not reloaded (${why}): store.path changed to ${next.store.path}; restart the worker to move to another store`)
      return
    }
    const change = describeConfigChange(config, next)
    if (next.schedule !== config.schedule || next.site.timezone !== config.site.timezone) {
      log.warn(`schedule "${next.schedule}" (${next.site.timezone}) takes effect when the worker restarts; it keeps "${config.schedule}" (${config.site.timezone}) until then`)
    }
    config = next
    log.info(change === undefined ? `config reread (${why}): no change` : `config reloaded (${why}): ${change}`)
  }

  const lock = await acquireStoreLock(config.store.path, { holder: 'feedloom start' })
  try {
    const fatal = new AbortController()
    const worker = startWorker({
      schedule: config.schedule,
      timezone: config.site.timezone,
      runCycle: async () => {
        try {
          await applyReread()
          await runReportedCycle(context, config, { lock: 'held' })
        } catch (err) {
          // A store failure will not fix itself on the next tick.
          fatal.abort(err)
        }
      },
      onSkippedTick: (at) => log.warn(`tick at ${at.toISOString()} skipped: the previous cycle is still running`),
    })
    log.info(`worker started: schedule "${config.schedule}" (${config.site.timezone}); rereads ${context.configPath} when it changes; stop with Ctrl-C`)
    await Promise.race([whenAborted(io.signal), whenAborted(fatal.signal)])
    if (io.signal.aborted) log.info(`${String(io.signal.reason)}: finishing the running cycle, then stopping`)
    await worker.stop()
    if (fatal.signal.aborted) throw fatal.signal.reason
    return 0
  } finally {
    stopWatching()
    io.hangups?.removeEventListener('hangup', onHangup)
    await lock.release()
  }
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolveAbort) => signal.addEventListener('abort', () => resolveAbort(), { once: true }))
}
