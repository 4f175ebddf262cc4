import type { IncomingHttpHeaders } from 'node:http'
import { FetchError } from '../../src/errors.js'
import { createFetcher, type Fetcher, type FetcherOptions } from '../../src/fetch/create-fetcher.js'
import type { FeedServer } from '../helpers/feed-server.js'

export const TEST_USER_AGENT = 'feedloom-test/0.1 (+https://example.test/contact)'

const TEST_OPTIONS: FetcherOptions = {
  timeoutMs: 2_000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: TEST_USER_AGENT,
  concurrency: 8,
  perHost: 8,
}

/** Fetchers with test defaults, remembered so one `closeAll()` in afterAll releases them. */
export function createTestFetchers(): {
  create(overrides?: Partial<FetcherOptions>): Fetcher
  closeAll(): Promise<void>
} {
  const created: Fetcher[] = []
  return {
    create(overrides = {}) {
      const fetcher = createFetcher({ ...TEST_OPTIONS, ...overrides })
      created.push(fetcher)
      return fetcher
    },
    async closeAll() {
      await Promise.all(created.map((fetcher) => fetcher.close()))
    },
  }
}

/** Headers of the last request the server saw for `path` (path plus query). */
export function headersSentTo(server: FeedServer, path: string): IncomingHttpHeaders {
  const request = server.requests.findLast((seen) => seen.path === path)
  if (request === undefined) throw new Error(`no request reached ${path}`)
  return request.headers
}

/** The FetchError a fetch rejected with; fails the test when it resolved or threw something else. */
export async function catchFetchError(promise: Promise<unknown>): Promise<FetchError> {
  const err = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  )
  if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`)
  return err
}
