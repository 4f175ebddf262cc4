import { describe, expect, it } from 'vitest'
import {
  BlockedAddressError,
  ConfigError,
  describeError,
  FeedloomError,
  FetchError,
  ParseError,
  PublishError,
  StoreError,
  StoreLockedError,
  ThreadError,
  UsageError,
  XmlSyntaxError,
} from '../src/errors.js'

const cause = new Error('underlying')

describe('error classes', () => {
  it.each([
    [new ConfigError(['sources[0].url: Invalid URL'], { cause }), 'ConfigError', 'E_CONFIG_INVALID'],
    [new FetchError('E_FETCH_STATUS', 'fetch failed for https://a.example/: HTTP 503', { url: 'https://a.example/', cause }), 'FetchError', 'E_FETCH_STATUS'],
    [new ParseError('E_PARSE_JSON', 'bad JSON in https://a.example/', { cause }), 'ParseError', 'E_PARSE_JSON'],
    [new StoreError('E_STORE_IO', 'cannot write store/db.json', { cause }), 'StoreError', 'E_STORE_IO'],
    [new PublishError('E_PUBLISH_IO', 'cannot write out/rss.xml', { cause }), 'PublishError', 'E_PUBLISH_IO'],
    [new ThreadError('E_THREAD_CRASHED', 'thread died', { cause }), 'ThreadError', 'E_THREAD_CRASHED'],
    [new XmlSyntaxError('Unclosed root tag at line 1, column 7', { cause }), 'XmlSyntaxError', 'E_PARSE_XML'],
    [new UsageError('no source nbd', 'feedloom list shows the ids', { cause }), 'UsageError', 'E_CLI_USAGE'],
  ])('%s carries its name, its stable code and its cause', (error, name, code) => {
    expect(error).toBeInstanceOf(FeedloomError)
    expect([error.name, error.code, error.cause]).toEqual([name, code, cause])
    expect(describeError(error)).toEqual({ code, message: error.message })
  })

  it('BlockedAddressError names the host, the address and its range with E_FETCH_BLOCKED', () => {
    const error = new BlockedAddressError('intranet.example', '10.0.0.5', 'private')
    expect([error.name, error.code, error.message]).toEqual([
      'BlockedAddressError',
      'E_FETCH_BLOCKED',
      'intranet.example resolves to 10.0.0.5 (private), and fetch.blockPrivateAddresses is on',
    ])
  })

  it('StoreLockedError is a StoreError with E_STORE_LOCKED and who holds the lock', () => {
    const owner = { pid: 4242, createdAt: '2026-01-12T08:05:00.000Z', holder: 'feedloom start' }
    const error = new StoreLockedError('store is in use by feedloom start', { lockPath: 'store/db.json.lock', owner, waitedMs: 0 })
    expect(error).toBeInstanceOf(StoreError)
    expect([error.code, error.lockPath, error.owner]).toEqual(['E_STORE_LOCKED', 'store/db.json.lock', owner])
  })

  it('describes an error that is not ours as E_UNKNOWN', () => {
    expect(describeError(new TypeError('x is not a function'))).toEqual({ code: 'E_UNKNOWN', message: 'x is not a function' })
  })
})
