import { createHash } from 'node:crypto'
import type { Config, FeedSourceConfig, SourceConfig } from '../config/config-schema.js'
import { describeError } from '../errors.js'
import type { Fetcher } from '../fetch/create-fetcher.js'
import { isDropped, normalizeEntry } from '../normalize/normalize-entry.js'
import { parseFeed } from '../sources/feed/parse-feed.js'
import type { DroppedEntry, NormalizedEntry, SourceState } from '../types.js'
import { nextAttemptAfterFailure } from './next-attempt.js'

export type SourceStatus = 'ok' | 'not-modified' | 'unchanged' | 'failed' | 'skipped'

export interface RefreshResult {
  sourceId: string
  status: SourceStatus
  entries: NormalizedEntry[]
  dropped: DroppedEntry[]
  /** The source's state after this attempt; equal to the old one when nothing worth keeping happened. */
  state: SourceState
  error?: { code: string; message: string }
}

export interface RefreshOptions {
  source: SourceConfig
  state: SourceState
  config: Readonly<Config>
  fetcher: Fetcher
  now: Date
}

/** Fetches, parses and normalizes one source. Never throws: a failure is data. */
export async function refreshSource({ source, state, config, fetcher, now }: RefreshOptions): Promise<RefreshResult> {
  const base = { sourceId: source.id, entries: [], dropped: [] }
  if (state.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()) {
    return { ...base, status: 'skipped', state }
  }
  try {
    const response = await fetcher.fetchText({
      url: state.effectiveUrl ?? (source as FeedSourceConfig).url,
      conditional: { etag: state.etag, lastModified: state.lastModified },
      charset: source.charset,
    })
    const recovered = recoveredState(state)
    if (response.status === 'not-modified') {
      return { ...base, status: 'not-modified', state: recovered }
    }
    const bodyHash = createHash('sha256').update(response.text).digest('hex')
    const validators = dropUndefined({ etag: response.etag, lastModified: response.lastModified })
    if (bodyHash === state.bodyHash) {
      return { ...base, status: 'unchanged', state: dropUndefined({ ...recovered, ...validators }) }
    }
    const feed = await parseFeed(response.text, { url: response.url })
    const entries: NormalizedEntry[] = []
    const dropped: DroppedEntry[] = []
    const context = {
      sourceId: source.id,
      feedUrl: response.url,
      feedLink: feed.link,
      feedBaseUrl: feed.baseUrl,
      feedTitle: source.title ?? feed.title,
      category: source.category,
      timezone: source.timezone ?? config.site.timezone,
      now,
    }
    for (const raw of feed.entries) {
      const result = normalizeEntry(raw, context)
      if (isDropped(result)) dropped.push(result)
      else entries.push(result)
    }
    const nextState: SourceState = dropUndefined({
      ...recovered,
      etag: response.etag,
      lastModified: response.lastModified,
      bodyHash,
      lastSuccessAt: now.toISOString(),
      charset: response.charset,
      effectiveUrl: response.permanentRedirect ?? state.effectiveUrl,
      itemsSeen: entries.length,
    })
    return { ...base, status: 'ok', entries, dropped, state: nextState }
  } catch (err) {
    const consecutiveFailures = state.consecutiveFailures + 1
    const error = describeError(err)
    const status = (err as { status?: unknown }).status
    const nextState: SourceState = dropUndefined({
      ...state,
      consecutiveFailures,
      lastErrorAt: now.toISOString(),
      lastError: dropUndefined({ ...error, status: typeof status === 'number' ? status : undefined }),
      nextAttemptAt: nextAttemptAfterFailure(err, consecutiveFailures, now),
    })
    return { ...base, status: 'failed', state: nextState, error }
  }
}

/** A source that answers again is no longer failing or waiting. */
function recoveredState(state: SourceState): SourceState {
  if (state.consecutiveFailures === 0 && state.nextAttemptAt === undefined) return state
  const { nextAttemptAt: _, ...rest } = state
  return { ...rest, consecutiveFailures: 0 }
}

/** Keeps stored state free of `undefined` keys, so equal states serialize to equal bytes. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
