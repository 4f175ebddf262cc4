import type { Config } from '../config/config-schema.js'
import { type QueueState, readQueueStatus } from '../pipeline/read-queue-status.js'
import { readStatus } from '../pipeline/read-status.js'
import type { FailedOutput, SourceHealth } from '../types.js'
import type { CommandContext } from './command-context.js'
import { formatTable } from './format-table.js'

/** Exit code when some source has failed for longer than `health.alertAfterHours`: 1 means feedloom itself failed. */
export const ALERT_EXIT_CODE = 2

/**
 * `feedloom status`: each source's health from the store, read without its lock so it works while
 * the worker runs. A table, or with `json` an array of objects with `id`.
 * @returns 0, or ALERT_EXIT_CODE when a source has been failing too long
 */
export async function printStatus(context: CommandContext, config: Readonly<Config>, options: { json?: boolean }): Promise<number> {
  const { stdout } = context.io
  const now = new Date()
  const { sources: health, failedOutputs } = await readStatus(config, now)
  const cluster = await readQueueStatus(config)
  if (options.json) stdout(JSON.stringify(cluster === undefined ? health : { sources: health, ...cluster }, null, 2))
  else {
    stdout(
      formatTable(
        ['id', 'state', 'last success', 'last error', 'failures', 'next attempt', 'items', 'reason'],
        health.map((one) => toRow(one, now)),
      ),
    )
    for (const note of health.flatMap((one) => notesOf(one, now, config.health.alertAfterHours))) stdout(note)
    for (const output of failedOutputs) stdout(failedOutputNote(output, now))
    if (cluster !== undefined) for (const line of describeCluster(cluster, now)) stdout(line)
  }
  return health.some((one) => one.alert) ? ALERT_EXIT_CODE : 0
}

/** The workers of a PostgreSQL store (a worker whose heartbeat stopped is one that was killed), its queue and its publisher. */
function describeCluster(cluster: QueueState, now: Date): string[] {
  const { queue, publisher } = cluster
  const workers =
    cluster.workers.length === 0
      ? ['workers: none running']
      : [
          'workers:',
          formatTable(
            ['name', 'host', 'pid', 'last heartbeat', 'done', 'failed'],
            cluster.workers.map((worker) => [worker.name, worker.host, String(worker.pid), ago(worker.lastHeartbeat, now), String(worker.done), String(worker.failed)]),
          ),
        ]
  const published = publisher.lastPublishAt === undefined ? 'never published' : `last published ${ago(publisher.lastPublishAt, now)}`
  return [
    ...workers,
    `queue: ${queue.due} due, ${queue.running} running, ${queue.failed} failed${queue.idle ? ' (idle)' : ''}`,
    `publisher: ${published}${publisher.pending ? '; stored changes waiting to be published' : ''}`,
  ]
}

function toRow(health: SourceHealth, now: Date): string[] {
  const error = health.lastError
  const lastError =
    error === undefined ? '-' : `${error.status === undefined ? error.code : `HTTP ${error.status}`}, ${ago(health.lastErrorAt, now)}`
  return [
    health.id,
    health.state,
    health.lastSuccessAt === undefined ? '-' : ago(health.lastSuccessAt, now),
    lastError,
    String(health.consecutiveFailures),
    nextAttemptOf(health, now),
    String(health.itemsSeen),
    error === undefined ? '-' : shortReason(error.message),
  ]
}

/** Widest reason the table shows; the whole message is in `--json` and in the worker's log. */
const REASON_WIDTH = 60

/**
 * The error message without its URLs (the source's id is on the row, its URL in `list`), cut to
 * fit a terminal line.
 */
function shortReason(message: string): string {
  const text = message.replace(/https?:\/\/\S+/g, '…').replace(/\s+/g, ' ').trim()
  return text.length > REASON_WIDTH ? `${text.slice(0, REASON_WIDTH - 1)}…` : text
}

function nextAttemptOf(health: SourceHealth, now: Date): string {
  if (health.state === 'retired') return 'never (410 Gone)'
  if (health.state === 'backing-off' && health.nextAttemptAt !== undefined) return relativeTime(health.nextAttemptAt, now)
  return 'next cycle'
}

/** What the table has no room for: where a source moved, why it is retired or degraded, and alerts. */
function notesOf(health: SourceHealth, now: Date, alertAfterHours: number): string[] {
  const notes: string[] = []
  if (health.effectiveUrl !== undefined) notes.push(`${health.id}: fetched from ${health.effectiveUrl} (moved permanently from ${health.url ?? 'its configured URL'})`)
  if (health.pendingRedirect !== undefined) {
    notes.push(`${health.id}: permanent redirect to ${health.pendingRedirect} seen once; it is followed for good if the next cycle sees it too`)
  }
  if (health.retiredAt !== undefined) {
    notes.push(`${health.id}: retired ${ago(health.retiredAt, now)}: ${health.effectiveUrl ?? health.url ?? 'its URL'} answered 410 Gone; change its url in the config to fetch it again`)
  }
  if (health.degraded !== undefined) notes.push(`${health.id}: degraded: ${health.degraded.join('; ')}`)
  if (health.recovered !== undefined) {
    notes.push(`${health.id}: recovered: ${health.recovered} (the feed is not well-formed XML; its entries were read leniently)`)
  }
  if (health.alert) {
    notes.push(`alert: ${health.id} has been failing since ${health.failingSince ?? '?'} (${ago(health.failingSince, now)}), longer than health.alertAfterHours (${alertAfterHours} h)`)
  }
  return notes
}

/** An output left stale: a cycle saw nothing new yet out/ is not what the store holds. */
function failedOutputNote(output: FailedOutput, now: Date): string {
  return `output ${output.file}: failing since ${ago(output.since, now)}: ${output.reason}; the next cycle writes it again`
}

function ago(iso: string | undefined, now: Date): string {
  return iso === undefined ? '?' : relativeTime(iso, now)
}

/** `5 min ago`, `in 2 h`: the table is read by people; --json has the instants. */
function relativeTime(iso: string, now: Date): string {
  const deltaMs = Date.parse(iso) - now.getTime()
  if (Number.isNaN(deltaMs)) return iso
  const absMs = Math.abs(deltaMs)
  if (absMs < 60_000) return deltaMs > 0 ? 'in less than a minute' : 'just now'
  const amount =
    absMs < 3_600_000 ? `${Math.round(absMs / 60_000)} min` : absMs < 172_800_000 ? `${Math.round(absMs / 3_600_000)} h` : `${Math.round(absMs / 86_400_000)} d`
  return deltaMs > 0 ? `in ${amount}` : `${amount} ago`
}
