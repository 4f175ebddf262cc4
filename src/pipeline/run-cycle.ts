import { access } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { createFetcher, type Fetcher } from '../fetch/create-fetcher.js'
import { publishOutputs, type PublishResult } from '../publish/publish-outputs.js'
import { openStore } from '../store/open-store.js'
import type { Logger } from '../types.js'
import { type KnownItems, refreshSource, type RefreshResult } from './refresh-source.js'

export interface CycleOptions {
  config: Readonly<Config>
  log: Logger
  /** @default () => new Date() */
  now?: () => Date
  /** Stops starting new sources; those in flight finish within their timeouts. */
  signal?: AbortSignal
}

export interface CycleSummary {
  sources: { ok: number; notModified: number; failed: number; skipped: number }
  failures: { sourceId: string; code: string; message: string }[]
  items: { added: number; updated: number; merged: number; pruned: number; dropped: number }
  filesWritten: string[]
  outputFailures: PublishResult['failed']
  storeWritten: boolean
  durationMs: number
}

/** One cycle: due sources → normalize → one store upsert → publish what changed → one store write. */
export async function runCycle({ config, log, now = () => new Date(), signal }: CycleOptions): Promise<CycleSummary> {
  const startedMs = performance.now()
  const store = await openStore({ path: config.store.path })
  const fetcher = createFetcher(config.fetch)
  try {
    const cycleStart = now()
    const results = await refreshAll(config, fetcher, store, cycleStart, signal)
    for (const result of results) {
      store.setSourceState(result.sourceId, result.state)
      if (result.error) log.warn(`source ${result.sourceId} failed: ${result.error.message}`, { sourceId: result.sourceId, code: result.error.code })
      for (const dropped of result.dropped) log.warn(`source ${dropped.sourceId}: item skipped: ${dropped.reason}`, { sourceId: dropped.sourceId })
      for (const { message, ...fields } of result.warnings ?? []) {
        log.warn(`source ${fields.sourceId}: ${fields.infoCode === undefined ? '' : `${fields.infoCode}: `}${message}`, fields)
      }
    }
    const upserted = store.upsert(results.flatMap((result) => result.entries), cycleStart)
    const pruned = store.prune({ ...config.store, now: cycleStart })
    const changedCategories = new Set([...upserted.changedCategories, ...pruned.changedCategories])
    // Outputs go first: if the process dies before the store write, the next cycle sees the
    // same items as new again and republishes identical files; the other order could leave
    // stored items that never reach out/.
    const published = await publishOutputs({
      items: store.items(),
      config,
      changedCategories: (await hasOutputs(config)) ? changedCategories : 'all',
      now: cycleStart,
    })
    for (const failure of published.failed) log.error(`output ${failure.file} not replaced: ${failure.reason}`, { file: failure.file })
    const storeWritten = await store.save()
    return {
      sources: countStatuses(results),
      failures: results.flatMap((r) => (r.error ? [{ sourceId: r.sourceId, ...r.error }] : [])),
      items: {
        added: upserted.added.length,
        updated: upserted.updated.length,
        merged: upserted.merged,
        pruned: pruned.pruned,
        dropped: results.reduce((sum, r) => sum + r.dropped.length, 0),
      },
      filesWritten: published.written,
      outputFailures: published.failed,
      storeWritten,
      durationMs: Math.round(performance.now() - startedMs),
    }
  } finally {
    await fetcher.close()
    await store.close()
  }
}

async function refreshAll(
  config: Readonly<Config>,
  fetcher: Fetcher,
  store: KnownItems & { sourceState(id: string): RefreshResult['state'] },
  now: Date,
  signal: AbortSignal | undefined,
): Promise<RefreshResult[]> {
  // The fetcher bounds concurrency overall and per host, so every source can start at once.
  return Promise.all(
    config.sources.map((source) => {
      const state = store.sourceState(source.id)
      if (signal?.aborted) return { sourceId: source.id, status: 'skipped' as const, entries: [], dropped: [], state }
      return refreshSource({ source, state, config, fetcher, known: store, now })
    }),
  )
}

function countStatuses(results: readonly RefreshResult[]): CycleSummary['sources'] {
  const counts = { ok: 0, notModified: 0, failed: 0, skipped: 0 }
  for (const { status } of results) {
    if (status === 'ok' || status === 'unchanged') counts.ok++
    else if (status === 'not-modified') counts.notModified++
    else if (status === 'failed') counts.failed++
    else counts.skipped++
  }
  return counts
}

/** A missing all-categories feed means out/ was emptied or never built: regenerate everything. */
async function hasOutputs(config: Readonly<Config>): Promise<boolean> {
  const first = config.output.formats[0] ?? 'rss'
  const file = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' }[first]
  return access(join(config.output.dir, file)).then(
    () => true,
    () => false,
  )
}

/** One line a person can read at a glance. */
export function formatSummary(summary: CycleSummary): string {
  const { sources: s, items: i } = summary
  return (
    `cycle done: sources ${s.ok} ok, ${s.notModified} not modified, ${s.failed} failed` +
    (s.skipped ? `, ${s.skipped} skipped (backing off)` : '') +
    `; items ${i.added} new, ${i.updated} updated` +
    (i.merged ? `, ${i.merged} merged` : '') +
    (i.pruned ? `, ${i.pruned} pruned` : '') +
    `; ${summary.filesWritten.length} files written` +
    (summary.storeWritten ? ', store saved' : '') +
    `; ${(summary.durationMs / 1000).toFixed(2)} s`
  )
}
