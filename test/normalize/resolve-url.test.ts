import { describe, expect, it } from 'vitest'
import { canonicalizeUrl, resolveUrl } from '../../src/normalize/resolve-url.js'

describe('resolveUrl', () => {
  it('keeps an absolute http(s) URL', () => {
    expect(resolveUrl(' https://finance.example.com/a/1.html ', ['https://other.example/'])).toBe(
      'https://finance.example.com/a/1.html',
    )
  })

  it('resolves a relative reference against the first base', () => {
    expect(resolveUrl('../b/2.html', ['https://finance.example.com/news/a/', 'https://other.example/'])).toBe(
      'https://finance.example.com/news/b/2.html',
    )
  })

  it('skips bases that cannot resolve it', () => {
    expect(resolveUrl('/a.html', [undefined, 'urn:isbn:123', 'https://finance.example.com/x'])).toBe(
      'https://finance.example.com/a.html',
    )
  })

  it('refuses a non-http scheme whatever the bases', () => {
    expect(resolveUrl('javascript:void(0)', ['https://finance.example.com/'])).toBeUndefined()
    expect(resolveUrl('ftp://files.example.com/a', ['https://finance.example.com/'])).toBeUndefined()
  })

  it('gives undefined for a relative reference with no base', () => {
    expect(resolveUrl('a.html', [])).toBeUndefined()
  })
})

describe('canonicalizeUrl', () => {
  it('lower-cases scheme and host and drops the default port', () => {
    expect(canonicalizeUrl('HTTPS://Finance.Example.COM:443/A/Path.html')).toBe('https://finance.example.com/A/Path.html')
  })

  it('removes the fragment', () => {
    expect(canonicalizeUrl('https://finance.example.com/a.html#comments')).toBe('https://finance.example.com/a.html')
  })

  it('removes every utm_* parameter and keeps the others in order', () => {
    expect(
      canonicalizeUrl('https://finance.example.com/a.html?b=2&utm_source=rss&a=1&UTM_Medium=feed&utm_campaign=x'),
    ).toBe('https://finance.example.com/a.html?b=2&a=1')
  })

  it('drops the question mark when only utm_* parameters were there', () => {
    expect(canonicalizeUrl('https://finance.example.com/a.html?utm_source=rss')).toBe('https://finance.example.com/a.html')
  })

  it('keeps a non-default port', () => {
    expect(canonicalizeUrl('http://finance.example.com:8080/a')).toBe('http://finance.example.com:8080/a')
  })
})
