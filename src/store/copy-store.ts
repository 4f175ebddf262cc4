import { StoreError } from '../errors.js'
import type { Store } from './store.js'

export interface CopyStoreResult {
  items: number
  tombstones: number
  sources: number
}

/**
 * Copies everything `source` holds into `target` and commits it there in one commit; `target`
 * must be empty, so a copy never mixes two stores.
 * @throws StoreError E_STORE_IO when the target already holds items or source states
 */
export async function copyStore(source: Store, target: Store, targetName: string): Promise<CopyStoreResult> {
  const counts = await target.countItems()
  if (counts.all > 0 || (await target.sourceStates()).size > 0) {
    throw new StoreError('E_STORE_IO', `store ${targetName} is not empty; copy into a new path or an empty database`)
  }
  const result: CopyStoreResult = { items: 0, tombstones: 0, sources: 0 }
  for await (const batch of source.exportRecords()) {
    await target.importRecords(batch)
    for (const record of batch) {
      if (record.kind === 'item') result.items++
      else if (record.kind === 'tombstone') result.tombstones++
      else if (record.kind === 'source') result.sources++
    }
  }
  await target.commit()
  return result
}
