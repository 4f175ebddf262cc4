import { refreshFeedSource } from './refresh-feed-source.js'
import { refreshJsonSource } from './refresh-json-source.js'
import { createFailedResult, type RefreshOptions, type RefreshResult } from './refresh-result.js'
import { refreshShareSource } from './refresh-share-source.js'

export type { KnownItems, RefreshOptions, RefreshResult, SourceStatus, SourceWarning } from './refresh-result.js'

/** Fetches, parses and normalizes one source of any kind. Never throws: a failure is data. */
export async function refreshSource(options: RefreshOptions): Promise<RefreshResult> {
  const { source, state, now } = options
  if (state.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()) {
    return { sourceId: source.id, status: 'skipped', entries: [], dropped: [], state }
  }
  try {
    switch (source.type) {
      case 'feed':
        return await refreshFeedSource({ ...options, source })
      case 'json':
        return await refreshJsonSource({ ...options, source })
      case 'share':
        return await refreshShareSource({ ...options, source })
    }
  } catch (err) {
    return createFailedResult(source.id, state, err, now)
  }
}
