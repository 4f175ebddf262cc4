import { FetchError } from '../../src/errors.js'
import { createFetcher, type Fetcher, type FetcherDependencies, type FetcherOptions } from '../../src/fetch/create-fetcher.js'

/** Fetch settings the hostile tests aim the farm at: short enough to keep the suite fast. */
export const HOSTILE_FETCH = {
  timeoutMs: 600,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
} as const

/** How late past its deadline a failure may come on a loaded 2-core CI machine. */
export const DEADLINE_SLACK_MS = 1_000

/** Fetchers with the hostile settings, remembered so one `closeAll()` in afterAll releases them. */
export function createHostileFetchers(): {
  create(overrides?: Partial<FetcherOptions>, dependencies?: FetcherDependencies): Fetcher
  closeAll(): Promise<void>
} {
  const created: Fetcher[] = []
  return {
    create(overrides = {}, dependencies = {}) {
      const fetcher = createFetcher(
        { ...HOSTILE_FETCH, userAgent: 'feedloom-test/0.1 (hostile)', concurrency: 16, perHost: 16, ...overrides },
        dependencies,
      )
      created.push(fetcher)
      return fetcher
    },
    async closeAll() {
      await Promise.all(created.map((fetcher) => fetcher.close()))
    },
  }
}

/** The FetchError a promise rejected with and how long it took; fails when it resolved or threw something else. */
export async function timeFetchFailure(promise: Promise<unknown>): Promise<{ err: FetchError; elapsedMs: number }> {
  const startedMs = performance.now()
  const err = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  )
  const elapsedMs = performance.now() - startedMs
  if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`)
  return { err, elapsedMs }
}
