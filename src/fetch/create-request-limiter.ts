import pLimit, { type LimitFunction } from 'p-limit'

export interface RequestLimiterOptions {
  /** Most requests in flight overall. */
  concurrency: number
  /** Most requests in flight to one host name, whichever port or scheme. */
  perHost: number
}

export interface RequestLimiter {
  /** Runs `task` once both a host slot and a global slot are free; holds them until it settles. */
  run<T>(host: string, task: () => Promise<T>): Promise<T>
}

export function createRequestLimiter({ concurrency, perHost }: RequestLimiterOptions): RequestLimiter {
  const global = pLimit(concurrency)
  const byHost = new Map<string, LimitFunction>()
  const limiterFor = (host: string): LimitFunction => {
    const existing = byHost.get(host)
    if (existing !== undefined) return existing
    const created = pLimit(perHost)
    byHost.set(host, created)
    return created
  }
  // Host slot first: a request queued behind a busy host must not sit on a global slot
  // that requests to idle hosts could use.
  return { run: (host, task) => limiterFor(host)(() => global(task)) }
}
