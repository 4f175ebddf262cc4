import type { FeedFarm } from './feed-farm.js'

export type PeerName = 'feedloom' | 'newsboat' | 'sfeed' | 'parse-floor'

/** One measured run of one peer. */
export interface RunFigures {
  wallMs: number
  /** User + system CPU. */
  cpuMs: number
  /** Undefined for the in-process parse floor. */
  maxRssKb?: number
  /** Bytes of files created or rewritten in the peer's store/cache (and out/ for feedloom). */
  bytesWritten: number
  /** For feedloom: the part of bytesWritten under store/. */
  storeBytesWritten?: number
  /** Items the peer holds after the run, counted its own way; undefined when it cannot tell. */
  items?: number
  /** What `items` must be: distinct stories for feedloom, per-feed entries for per-feed readers. */
  expectedItems: number
  exitCode: number
  /** Why a run is not trusted: wrong item count, non-zero exit. */
  problem?: string
}

export interface PeerRunContext {
  farm: FeedFarm
  /** Feeds whose bytes changed since this peer last polled (undefined: all of them). */
  changedFeedIds?: readonly string[]
  /** Write a V8 CPU profile of this run into this folder (feedloom only). */
  cpuProfileDir?: string
}

export interface Peer {
  name: PeerName
  /** Empties the peer's store/cache and points it at the farm's feeds. */
  reset(farm: FeedFarm): Promise<void>
  /**
   * An unmeasured pass after the cold run, for a peer that only remembers validators from its
   * second poll (newsboat 2.21 stores no ETag for a feed it did not know yet), so that the
   * measured warm run really is all 304s.
   */
  settle?(farm: FeedFarm): Promise<void>
  run(context: PeerRunContext): Promise<RunFigures>
}

/** Flags a run whose item count is known and wrong, or whose process failed. */
export function checkRun(figures: Omit<RunFigures, 'problem'>): RunFigures {
  const problems: string[] = []
  if (figures.exitCode !== 0) problems.push(`exit ${figures.exitCode}`)
  if (figures.items !== undefined && figures.items !== figures.expectedItems) {
    problems.push(`holds ${figures.items} items, expected ${figures.expectedItems}`)
  }
  return problems.length > 0 ? { ...figures, problem: problems.join('; ') } : figures
}
