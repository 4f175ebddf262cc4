import type { PublishResult } from '../publish/publish-outputs.js'
import type { Store } from '../store/open-store.js'
import type { FailedOutput } from '../types.js'

/**
 * Records in the store the outputs this publish could not write (or that failed their check), so
 * that the next cycle writes them again even when nothing new arrives, and `status` shows them;
 * files written since are forgotten. A file failing again keeps the record of its first failure:
 * the reason names a temp file with the writer's pid, and a store rewritten by every cycle while
 * one file stays unwritable would cost a write per cycle and its ETag.
 * @returns whether the record changed
 */
export async function recordFailedOutputs(
  store: Pick<Store, 'publishRecord' | 'setPublishRecord'>,
  failed: PublishResult['failed'],
  now: Date,
): Promise<boolean> {
  const record = await store.publishRecord()
  const previous = new Map((record.failedOutputs ?? []).map((output) => [output.file, output]))
  const failedOutputs = failed.map(({ file, reason }): FailedOutput => previous.get(file) ?? { file, reason, since: now.toISOString() })
  await store.setPublishRecord({ ...record, failedOutputs })
  return JSON.stringify(await store.publishRecord()) !== JSON.stringify(record)
}

/** Whether an earlier publish left outputs to write again. */
export async function hasFailedOutputs(store: Pick<Store, 'publishRecord'>): Promise<boolean> {
  return ((await store.publishRecord()).failedOutputs ?? []).length > 0
}
