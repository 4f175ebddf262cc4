import { describe, expect, it } from 'vitest'
import { cleanText } from '../../src/text/clean-text.js'

describe('cleanText', () => {
  it('removes control characters but keeps tab, LF and CR', () => {
    expect(cleanText('a\u0000b\u0008c\u001Fd\u007Fe\u0085f\tg\nh\ri')).toBe('abcdef\tg\nh\ri')
  })

  it('removes lone surrogates and keeps pairs', () => {
    expect(cleanText('x\uD800y\uDC00z😀')).toBe('xyz😀')
  })
})
