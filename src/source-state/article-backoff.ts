import { dropUndefined } from '../object/drop-undefined.js'
import type { SourceState } from '../types.js'
import { nextAttemptAfterFailure } from './next-attempt.js'

/** Whether a source's article fetches (details, full text) are backing off, and until when. */
export type ArticleBackoff = Pick<SourceState, 'articleFailures' | 'articlesRetryAt'>

/**
 * A cycle on which every fetch failed (none succeeded) starts or lengthens the backoff; one
 * success ends it; a cycle that fetched nothing keeps it while it runs.
 */
export function nextArticleBackoff(
  state: SourceState,
  count: { succeeded: number; failed: number },
  pausedUntil: string | undefined,
  now: Date,
): ArticleBackoff {
  if (count.succeeded > 0) return {}
  if (count.failed === 0) return pausedUntil === undefined ? {} : { articleFailures: state.articleFailures, articlesRetryAt: pausedUntil }
  const articleFailures = (state.articleFailures ?? 0) + 1
  return { articleFailures, articlesRetryAt: nextAttemptAfterFailure(undefined, articleFailures, now) }
}

/** The state with the article backoff an attempt left (both fields absent when there is none). */
export function withArticleBackoff(state: SourceState, backoff: ArticleBackoff): SourceState {
  const { articleFailures: _failures, articlesRetryAt: _retryAt, ...rest } = state
  return dropUndefined({ ...rest, ...backoff })
}
