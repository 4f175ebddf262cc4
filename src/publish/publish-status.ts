import path from 'node:path'
import type { SourceHealth } from '../types.js'
import type { PublishResult } from './publish-outputs.js'
import { writeIfChanged } from './write-if-changed.js'

/** Relative to output.dir. */
export const STATUS_FILE = 'status.json'

/**
 * Health as published: without the facts that move whenever a source has new items (its last
 * success, last changing attempt, item count), so the file changes only when some source's health
 * does. `feedloom status --json` shows those too.
 */
export type PublishedHealth = Omit<SourceHealth, 'lastAttemptAt' | 'lastSuccessAt' | 'itemsSeen'>

export interface PublishStatusOptions {
  /** Every source's health, as `feedloom status --json` prints it. */
  health: readonly SourceHealth[]
  /** output.dir, absolute. */
  outputDir: string
  alertAfterHours: number
  /** Compare only; `written` then lists it when it would be. @default false */
  dryRun?: boolean
}

/**
 * Writes out/status.json: source health beside the feeds, never inside them (README, "Output: out/"). The
 * document holds no clock of its own and none of the per-item facts, so it is rewritten only when
 * some source's health changed: a cycle where sources merely answer (304 or new items) leaves it,
 * and its ETag, alone.
 */
export async function publishStatus({ health, outputDir, alertAfterHours, dryRun = false }: PublishStatusOptions): Promise<PublishResult> {
  const result: PublishResult = { written: [], unchanged: 0, failed: [], removed: [] }
  const sources = health.map(({ lastAttemptAt: _attempt, lastSuccessAt: _success, itemsSeen: _items, ...published }): PublishedHealth => published)
  const text = `${JSON.stringify({ alertAfterHours, sources }, null, 2)}\n`
  try {
    const outcome = await writeIfChanged(path.join(outputDir, STATUS_FILE), text, { dryRun })
    if (outcome === 'written') result.written.push(STATUS_FILE)
    else result.unchanged += 1
  } catch (err) {
    result.failed.push({ file: STATUS_FILE, reason: err instanceof Error ? err.message : String(err) })
  }
  return result
}
