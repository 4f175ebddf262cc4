import type { LookupAddress } from 'node:dns'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createGuardedLookup,
  type LookupFunction,
  refusePrivateAddresses,
} from '../../src/fetch/guard-address.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createHostileFetchers, timeFetchFailure } from './hostile-test-helpers.js'

const RSS = '<rss version="2.0"><channel><title>t</title></channel></rss>'

/** A resolver answering from a table, counting its calls; unknown names fail like dns.lookup does. */
function createStubLookup(table: Record<string, string[]>): { lookup: LookupFunction; calls: string[] } {
  const calls: string[] = []
  const lookup: LookupFunction = (hostname, _options, callback) => {
    calls.push(hostname)
    const addresses = table[hostname]
    if (addresses === undefined) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
      return void setImmediate(() => callback(err, []))
    }
    const all: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    setImmediate(() => callback(null, all))
  }
  return { lookup, calls }
}

function resolveWith(lookup: LookupFunction, hostname: string, all: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all }, (err, address, family) => (err ? reject(err) : resolve(all ? address : { address, family })))
  })
}

describe('refusePrivateAddresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::a9fe:a9fe', 'ipv4Compatible'],
    ['::5db8:d822', 'ipv4Compatible'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0:7f00:1', 'rfc6145'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusePrivateAddresses(address)).toBe(range)
  })

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows public %s', (address) => {
    expect(refusePrivateAddresses(address)).toBeUndefined()
  })
})

describe('createGuardedLookup', () => {
  const { lookup } = createStubLookup({
    'public.test': ['93.184.216.34'],
    'metadata.test': ['169.254.169.254'],
    'split.test': ['93.184.216.34', '10.0.0.7'],
    'v6-loopback.test': ['::1'],
  })
  const guarded = createGuardedLookup(refusePrivateAddresses, lookup)

  it('passes every address of a public host on (all: true)', async () => {
    await expect(resolveWith(guarded, 'public.test', true)).resolves.toEqual([{ address: '93.184.216.34', family: 4 }])
  })

  it('passes the first address of a public host on (all: false)', async () => {
    await expect(resolveWith(guarded, 'public.test', false)).resolves.toEqual({ address: '93.184.216.34', family: 4 })
  })

  it('refuses a host resolving to the metadata address', async () => {
    await expect(resolveWith(guarded, 'metadata.test', true)).rejects.toThrow(/169\.254\.169\.254 \(linkLocal\)/)
  })

  it('refuses a host when any one of its addresses is private', async () => {
    await expect(resolveWith(guarded, 'split.test', false)).rejects.toThrow(/10\.0\.0\.7 \(private\)/)
  })

  it('refuses a host resolving to IPv6 loopback', async () => {
    await expect(resolveWith(guarded, 'v6-loopback.test', true)).rejects.toThrow(/::1 \(loopback\)/)
  })

  it('passes a resolver failure on unchanged', async () => {
    await expect(resolveWith(guarded, 'nowhere.test', true)).rejects.toMatchObject({ code: 'ENOTFOUND' })
  })
})

describe('fetch.blockPrivateAddresses', () => {
  let server: FeedServer
  const fetchers = createHostileFetchers()

  beforeAll(async () => {
    server = await createFeedServer({
      '/feed.xml': RSS,
      '/to-loopback-name.xml': (_req, res) => void res.writeHead(302, { location: `http://loopback.test:${port()}/feed.xml` }).end(),
      '/to-ten.xml': (_req, res) => void res.writeHead(302, { location: `http://10.255.255.1:${port()}/feed.xml` }).end(),
      '/to-rebind.xml': (_req, res) => void res.writeHead(302, { location: `http://rebind.test:${port()}/feed.xml` }).end(),
      '/to-v6.xml': (_req, res) => void res.writeHead(302, { location: 'http://[::1]/feed.xml' }).end(),
    })
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  const port = () => new URL(server.url).port
  /** The farm is on loopback; this policy lets 127.0.0.1 through so redirect hops can be tested from it. */
  const allowOnly127001 = (address: string) => (address === '127.0.0.1' ? undefined : refusePrivateAddresses(address))

  it('allows a source on 127.0.0.1 when off (the default)', async () => {
    await expect(fetchers.create().fetchText({ url: `${server.url}/feed.xml` })).resolves.toMatchObject({ status: 'ok' })
  })

  it('refuses a source on 127.0.0.1 with E_FETCH_BLOCKED when on', async () => {
    const { err } = await timeFetchFailure(fetchers.create({ blockPrivateAddresses: true }).fetchText({ url: `${server.url}/feed.xml` }))
    expect([err.code, err.message]).toEqual(['E_FETCH_BLOCKED', expect.stringMatching(/127\.0\.0\.1 \(loopback\)/)])
  })

  it('sends no request to a refused address', async () => {
    const before = server.requests.length
    await timeFetchFailure(fetchers.create({ blockPrivateAddresses: true }).fetchText({ url: `${server.url}/feed.xml?refused` }))
    expect(server.requests.length).toBe(before)
  })

  it('refuses a host name that resolves to loopback (localhost), after DNS', async () => {
    const { err } = await timeFetchFailure(
      fetchers.create({ blockPrivateAddresses: true }).fetchText({ url: `http://localhost:${port()}/feed.xml` }),
    )
    expect([err.code, err.message]).toEqual(['E_FETCH_BLOCKED', expect.stringMatching(/localhost resolves to/)])
  })

  it('refuses a redirect hop to a host name that resolves to loopback', async () => {
    const { lookup } = createStubLookup({ 'loopback.test': ['127.0.0.2'] })
    const fetcher = fetchers.create({ blockPrivateAddresses: true }, { addressPolicy: allowOnly127001, lookup })
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: `${server.url}/to-loopback-name.xml` }))
    expect([err.code, err.url]).toEqual(['E_FETCH_BLOCKED', `http://loopback.test:${port()}/feed.xml`])
  })

  it('refuses a redirect hop to a private IP literal without connecting', async () => {
    const fetcher = fetchers.create({ blockPrivateAddresses: true }, { addressPolicy: allowOnly127001 })
    const { err, elapsedMs } = await timeFetchFailure(fetcher.fetchText({ url: `${server.url}/to-ten.xml` }))
    // 10.255.255.1 does not answer: a connect attempt would run into the deadline instead.
    expect([err.code, elapsedMs < 300]).toEqual(['E_FETCH_BLOCKED', true])
  })

  it.each(['[::127.0.0.1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.1]'])(
    'refuses a source on the loopback address written as IPv6 %s without connecting',
    async (host) => {
      const before = server.requests.length
      const { err } = await timeFetchFailure(fetchers.create({ blockPrivateAddresses: true }).fetchText({ url: `http://${host}:${port()}/feed.xml` }))
      expect([err.code, server.requests.length]).toEqual(['E_FETCH_BLOCKED', before])
    },
  )

  it('refuses a redirect hop to an IPv6 loopback literal', async () => {
    const fetcher = fetchers.create({ blockPrivateAddresses: true }, { addressPolicy: allowOnly127001 })
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: `${server.url}/to-v6.xml` }))
    expect(err.code).toBe('E_FETCH_BLOCKED')
  })

  it('resolves a host name once per connection and connects to the address it checked (no rebinding window)', async () => {
    // A rebinding resolver: 127.0.0.1 the first time, then 10.0.0.1. One lookup per connection means
    // the checked answer is the one connected to; a separate pre-check would see a different one.
    let answers = 0
    const calls: string[] = []
    const rebinding: LookupFunction = (hostname, _options, callback) => {
      calls.push(hostname)
      const address = answers++ === 0 ? '127.0.0.1' : '10.0.0.1'
      setImmediate(() => callback(null, [{ address, family: 4 }]))
    }
    const fetcher = fetchers.create({ blockPrivateAddresses: true }, { addressPolicy: allowOnly127001, lookup: rebinding })
    const result = await fetcher.fetchText({ url: `${server.url}/to-rebind.xml` })
    expect([result.status, calls]).toEqual(['ok', ['rebind.test']])
  })

  it('refuses the second connection of a rebinding host once it resolves to a private address', async () => {
    const rebinding: LookupFunction = (_hostname, _options, callback) => {
      setImmediate(() => callback(null, [{ address: '10.0.0.1', family: 4 }]))
    }
    const fetcher = fetchers.create({ blockPrivateAddresses: true }, { addressPolicy: allowOnly127001, lookup: rebinding })
    const { err } = await timeFetchFailure(fetcher.fetchText({ url: `${server.url}/to-rebind.xml` }))
    expect([err.code, err.message]).toEqual(['E_FETCH_BLOCKED', expect.stringMatching(/rebind\.test resolves to 10\.0\.0\.1 \(private\)/)])
  })
})
