import { describe, expect, it } from 'vitest'
import { decodeCharset } from '../../src/fetch/decode-charset.js'

const GBK_ZHONGWEN = Buffer.from('d6d0cec4', 'hex')

function bytesOf(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
}

describe('decodeCharset', () => {
  it('decodes UTF-16LE by its BOM', () => {
    const bytes = Buffer.concat([Buffer.from('fffe', 'hex'), Buffer.from('<rss>中文</rss>', 'utf16le')])
    expect(decodeCharset(bytes)).toEqual({ text: '<rss>中文</rss>', charset: { encoding: 'utf-16le', reason: 'bom' } })
  })

  it('decodes UTF-16BE by its BOM', () => {
    const bytes = Buffer.from('feff4e2d6587', 'hex')
    expect(decodeCharset(bytes)).toEqual({ text: '中文', charset: { encoding: 'utf-16be', reason: 'bom' } })
  })

  it('prefers a BOM over the header', () => {
    const bytes = bytesOf(Buffer.from('efbbbf', 'hex'), '中文')
    expect(decodeCharset(bytes, { contentType: 'text/xml; charset=big5' }).charset.reason).toBe('bom')
  })

  it('prefers the header over the prolog', () => {
    const bytes = bytesOf('<?xml version="1.0" encoding="big5"?><a>', GBK_ZHONGWEN, '</a>')
    expect(decodeCharset(bytes, { contentType: 'text/xml; charset=gbk' }).text).toContain('<a>中文</a>')
  })

  it('reads the charset from a meta http-equiv content attribute', () => {
    const bytes = bytesOf('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>', GBK_ZHONGWEN)
    expect(decodeCharset(bytes).charset).toEqual({ encoding: 'gb18030', reason: 'meta' })
  })

  it('ignores a meta charset beyond the first 1024 bytes', () => {
    const bytes = bytesOf(`<html>${' '.repeat(1024)}<meta charset="gbk">`)
    expect(decodeCharset(bytes).charset).toEqual({ encoding: 'utf-8', reason: 'default' })
  })

  it('reads a prolog declaring UTF-16 without a BOM as UTF-8', () => {
    const bytes = bytesOf('<?xml version="1.0" encoding="UTF-16"?><a>中文</a>')
    expect(decodeCharset(bytes)).toEqual({
      text: '<?xml version="1.0" encoding="UTF-16"?><a>中文</a>',
      charset: { encoding: 'utf-8', reason: 'prolog' },
    })
  })

  it.each(['GBK', 'gb2312', 'x-gbk', 'CP936', 'GB18030'])('records the %s label as gb18030', (label) => {
    expect(decodeCharset(GBK_ZHONGWEN, { override: label })).toEqual({
      text: '中文',
      charset: { encoding: 'gb18030', reason: 'override' },
    })
  })

  it('records the encoding name TextDecoder uses, not the label', () => {
    expect(decodeCharset(bytesOf('abc'), { contentType: 'text/plain; charset=latin1' }).charset.encoding).toBe(
      'windows-1252',
    )
  })
})

describe('decodeCharset: bytes nothing declared that are not UTF-8', () => {
  it('falls back to windows-1252, as WHATWG does, and says so', () => {
    const bytes = Buffer.from('<rss><title>Caf\xe9 \x93Z\xfcrich\x94</title></rss>', 'latin1')
    expect(decodeCharset(bytes)).toEqual({ text: '<rss><title>Café “Zürich”</title></rss>', charset: { encoding: 'windows-1252', reason: 'fallback' } })
  })

  it('falls back to GB18030 when the document says it is Chinese', () => {
    const bytes = bytesOf('<rss><channel><language>zh-cn</language><title>', GBK_ZHONGWEN, '</title></channel></rss>')
    expect(decodeCharset(bytes)).toEqual({
      text: '<rss><channel><language>zh-cn</language><title>中文</title></channel></rss>',
      charset: { encoding: 'gb18030', reason: 'fallback' },
    })
  })

  it('keeps a declared encoding that fails, decoding with U+FFFD, rather than guess', () => {
    const bytes = Buffer.from('<rss><title>Caf\xe9</title></rss>', 'latin1')
    expect(decodeCharset(bytes, { contentType: 'application/xml; charset=utf-8' }).charset).toEqual({ encoding: 'utf-8', reason: 'header' })
  })
})
