import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { createHostileFarm, type HostileCase, type HostileFarm } from '../helpers/hostile-farm.js'
import { createHostileFetchers, DEADLINE_SLACK_MS, HOSTILE_FETCH, timeFetchFailure } from './hostile-test-helpers.js'

let farm: HostileFarm
let fetcher: Fetcher
const fetchers = createHostileFetchers()

beforeAll(async () => {
  farm = await createHostileFarm(HOSTILE_FETCH)
  fetcher = fetchers.create()
})

afterAll(async () => {
  await fetchers.closeAll()
  await farm.close()
})

/** Built from the farm's listing before it starts: cases are defined statically, only URLs wait for the port. */
const FAILING_NETWORK_CASES = [
  ['refused', 'E_FETCH_NETWORK'],
  ['dns-failure', 'E_FETCH_NETWORK'],
  ['no-answer', 'E_FETCH_TIMEOUT'],
  ['headers-never-end', 'E_FETCH_TIMEOUT'],
  ['trickle', 'E_FETCH_TIMEOUT'],
  ['endless', 'E_FETCH_TOO_LARGE'],
  ['oversized', 'E_FETCH_TOO_LARGE'],
  ['oversized-chunked', 'E_FETCH_TOO_LARGE'],
  ['gzip-bomb', 'E_FETCH_TOO_LARGE'],
  ['brotli-bomb', 'E_FETCH_TOO_LARGE'],
  ['redirect-loop', 'E_FETCH_REDIRECT'],
  ['redirect-chain', 'E_FETCH_REDIRECT'],
  ['slow-redirects', 'E_FETCH_TIMEOUT'],
  ['redirect-file', 'E_FETCH_REDIRECT'],
  ['redirect-ftp', 'E_FETCH_REDIRECT'],
  ['not-found', 'E_FETCH_STATUS'],
  ['forbidden', 'E_FETCH_STATUS'],
  ['server-error', 'E_FETCH_STATUS'],
  ['too-many-requests', 'E_FETCH_STATUS'],
  ['unavailable-date', 'E_FETCH_STATUS'],
  ['gone', 'E_FETCH_GONE'],
] as const

function caseOf(id: string): HostileCase {
  return farm.caseById(id)
}

describe('hostile network: each fault is a FetchError with its code, within the deadline', () => {
  it('lists the same code in the farm as the tests expect, for every network case', () => {
    const listed = farm.cases
      .filter((one) => one.group === 'network' && one.expect.outcome === 'error')
      .map((one) => [one.id, one.expect.outcome === 'error' ? one.expect.code : ''])
    expect(listed).toEqual(FAILING_NETWORK_CASES.map(([id, code]) => [id, code]))
  })

  it.each(FAILING_NETWORK_CASES)('%s → %s within timeoutMs', async (id, code) => {
    const { err, elapsedMs } = await timeFetchFailure(fetcher.fetchText({ url: caseOf(id).url }))
    expect({ code: err.code, inTime: elapsedMs < HOSTILE_FETCH.timeoutMs + DEADLINE_SLACK_MS }).toEqual({ code, inTime: true })
  })

  it('times out a redirect chain whose hops are each within the deadline but not together', async () => {
    // Each hop takes 0.45 × timeoutMs: without one deadline for the whole chain, this succeeds after 1.35 × timeoutMs.
    const { err, elapsedMs } = await timeFetchFailure(fetcher.fetchText({ url: caseOf('slow-redirects').url }))
    expect([err.code, elapsedMs < HOSTILE_FETCH.timeoutMs * 1.3]).toEqual(['E_FETCH_TIMEOUT', true])
  })

  it('reads Retry-After in seconds from a 429', async () => {
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: caseOf('too-many-requests').url }))
    expect([err.status, err.retryAfterMs]).toEqual([429, 3_600_000])
  })

  it('reads Retry-After as an HTTP-date from a 503, against the response Date', async () => {
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: caseOf('unavailable-date').url }))
    expect([err.status, Math.abs((err.retryAfterMs ?? 0) - 7_200_000) <= 1_000]).toEqual([503, true])
  })

  it('never requests a file: redirect target, only the redirecting URL', async () => {
    const before = farm.requests.length
    await timeFetchFailure(fetcher.fetchText({ url: caseOf('redirect-file').url }))
    expect(farm.requests.slice(before).map((request) => request.path)).toEqual(['/net/to-file.xml'])
  })

  it('names the host lookup failure in a DNS failure message', async () => {
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: caseOf('dns-failure').url }))
    expect(err.message).toMatch(/feedloom-hostile\.invalid.*(ENOTFOUND|EAI_AGAIN)/)
  })

  it('follows a redirect chain within the limit to a good feed', async () => {
    const result = await fetcher.fetchText({ url: caseOf('redirect-ok').url })
    expect(result).toMatchObject({ status: 'ok', url: `${farm.url}/net/redirect-ok-target.xml` })
  })
})
