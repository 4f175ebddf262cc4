import { describe, expect, it } from 'vitest'
import { findInfoCode, identifyEntry, type IdentifyEntryInput } from '../../src/normalize/identify-entry.js'

function input(overrides: Partial<IdentifyEntryInput> = {}): IdentifyEntryInput {
  return { sourceId: 'nbd', title: '央行开展1000亿元逆回购操作', ...overrides }
}

const SHARE = 'https://finance.example.com/a/NewsShare.html?infoCode=NW202201112243496752'

describe('identifyEntry', () => {
  it('keys an entry by its infoCode field', () => {
    const identity = identifyEntry(
      input({ infoCode: 'NW202201112243496752', link: 'https://finance.example.com/a/1.html' }),
    )
    expect(identity.key).toBe('infocode:NW202201112243496752')
    expect(identity.infoCode).toBe('NW202201112243496752')
  })

  it('finds the infoCode in the link query', () => {
    expect(identifyEntry(input({ link: SHARE })).key).toBe('infocode:NW202201112243496752')
  })

  it('matches the infoCode parameter name case-insensitively', () => {
    expect(identifyEntry(input({ link: 'https://finance.example.com/a?INFOCODE=NW1' })).key).toBe('infocode:NW1')
    expect(identifyEntry(input({ link: 'https://finance.example.com/a?infocode=NW2' })).key).toBe('infocode:NW2')
  })

  it('gives the same key whether the infoCode comes from the link, the guid or the share link', () => {
    const viaLink = identifyEntry(input({ link: SHARE }))
    const viaGuid = identifyEntry(input({ link: 'https://finance.example.com/a/1.html', guid: SHARE }))
    const viaShare = identifyEntry(input({ link: 'https://other.example/b.html', shareLink: SHARE }))
    expect(new Set([viaLink.key, viaGuid.key, viaShare.key])).toEqual(new Set(['infocode:NW202201112243496752']))
  })

  it('prefers the infoCode field over one in a URL', () => {
    expect(identifyEntry(input({ infoCode: 'NW1', link: 'https://finance.example.com/a?infoCode=NW2' })).key).toBe(
      'infocode:NW1',
    )
  })

  it('keys by the canonical link when there is no infoCode', () => {
    const identity = identifyEntry(input({ link: 'HTTPS://Finance.Example.com/a/1.html?utm_source=rss&id=7#top' }))
    expect(identity.key).toBe('link:https://finance.example.com/a/1.html?id=7')
  })

  it('keys by a URI guid as given when there is no link', () => {
    expect(identifyEntry(input({ guid: 'tag:finance.example.com,2022:1' })).key).toBe('guid:tag:finance.example.com,2022:1')
  })

  it('scopes a guid that is not a URI to its source', () => {
    expect(identifyEntry(input({ sourceId: 'nbd', guid: '123' })).key).toBe('guid:nbd:123')
    expect(identifyEntry(input({ sourceId: 'hexun', guid: '123' })).key).toBe('guid:hexun:123')
  })

  it('falls back to a sha256 hash of source, title and date', () => {
    const identity = identifyEntry(input({ published: '2022-01-11 13:35:18' }))
    expect(identity.key).toMatch(/^hash:[0-9a-f]{64}$/)
  })

  it('gives the same hash for the same source, title and date', () => {
    const first = identifyEntry(input({ published: '2022-01-11 13:35:18' }))
    const second = identifyEntry(input({ published: '2022-01-11 13:35:18' }))
    expect(first.key).toBe(second.key)
  })

  it('gives a different hash for another source', () => {
    const nbd = identifyEntry(input({ sourceId: 'nbd' }))
    const hexun = identifyEntry(input({ sourceId: 'hexun' }))
    expect(nbd.key).not.toBe(hexun.key)
  })

  it('lists the link, guid and share link identities as aliases, without the key', () => {
    const identity = identifyEntry(
      input({ link: SHARE, guid: '10086', shareLink: 'https://m.finance.example.com/share?infoCode=NW202201112243496752' }),
    )
    expect(identity.aliases).toEqual([
      `link:${SHARE}`,
      'guid:nbd:10086',
      'link:https://m.finance.example.com/share?infoCode=NW202201112243496752',
    ])
  })

  it('dedupes aliases when the share link is the link', () => {
    expect(identifyEntry(input({ link: SHARE, shareLink: SHARE })).aliases).toEqual([`link:${SHARE}`])
  })

  it('does not repeat the key among the aliases', () => {
    const identity = identifyEntry(input({ link: 'https://finance.example.com/a.html', guid: '1' }))
    expect(identity.aliases).toEqual(['guid:nbd:1'])
  })
})

describe('findInfoCode', () => {
  it('reads the first non-empty infoCode parameter among the values', () => {
    expect(findInfoCode([undefined, 'https://a.example/?infoCode=', 'NewsShare.html?InfoCode=NW3'])).toBe('NW3')
  })

  it('gives undefined when no value carries one', () => {
    expect(findInfoCode(['https://a.example/?id=1', 'NW202201112243496752'])).toBeUndefined()
  })
})
