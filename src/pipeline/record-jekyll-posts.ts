import type { PublishResult } from '../publish/publish-outputs.js'
import type { Store } from '../store/open-store.js'
import type { Logger } from '../types.js'

/**
 * After publishing: logs every Jekyll post removed and every post-named file left in place, and
 * puts the posts feedloom owns now in the store's publish record (saved with the store), so later
 * runs replace and remove only those.
 * @returns whether the record changed
 */
export async function recordJekyllPosts(
  published: PublishResult,
  store: Pick<Store, 'publishRecord' | 'setPublishRecord'>,
  log: Logger,
  options: { dryRun?: boolean } = {},
): Promise<boolean> {
  // A dry run lists its removals among the planned changes instead.
  if (!options.dryRun) {
    for (const file of published.removed) log.info(`removed ${file}: its item left the live window or is no longer published`, { file })
  }
  for (const file of published.leftAlone ?? []) {
    log.warn(`left ${file} in place: the store has no record of feedloom writing it and it differs from feedloom's post`, { file })
  }
  // A dry run changes nothing, the record included.
  if (published.jekyllPosts === undefined || options.dryRun) return false
  const record = await store.publishRecord()
  await store.setPublishRecord({ ...record, jekyllPosts: published.jekyllPosts })
  return JSON.stringify(await store.publishRecord()) !== JSON.stringify(record)
}
