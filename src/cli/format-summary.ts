import type { CycleSummary } from '../pipeline/run-cycle.js'

/** One line a person can read at a glance. */
export function formatSummary(summary: CycleSummary): string {
  const { sources: s, items: i } = summary
  const sources =
    `sources ${s.ok} ok, ${s.notModified} not modified, ${s.failed} failed` +
    (s.skipped ? `, ${s.skipped} skipped (backing off)` : '') +
    (s.retired ? `, ${s.retired} retired (410 Gone)` : '')
  const items =
    `items ${i.added} new, ${i.updated} updated` + (i.merged ? `, ${i.merged} merged` : '') + (i.pruned ? `, ${i.pruned} pruned` : '')
  const seconds = `${(summary.durationMs / 1000).toFixed(2)} s`
  if (summary.dryRun) {
    const { changes, storeChanged } = summary.dryRun
    return `dry run done: ${sources}; ${items}; ${changes.length} files would change${storeChanged ? ', store would be saved' : ''}; nothing written; ${seconds}`
  }
  const hub = summary.hub === undefined ? '' : `; hub pinged for ${summary.hub.pinged.length} feeds${summary.hub.failed.length ? ` (${summary.hub.failed.length} failed)` : ''}`
  return (
    `cycle done: ${sources}; ${items}; ${summary.filesWritten.length} files written` +
    (summary.storeWritten ? ', store saved' : '') +
    `${hub}; ${seconds}`
  )
}
