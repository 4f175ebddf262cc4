import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fetcher } from '../../src/fetch/create-fetcher.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createTestFetchers } from './fetch-test-helpers.js'

/** 中文 in GBK/GB2312 and in Big5 (checked with Python's codecs). */
const GBK_ZHONGWEN = Buffer.from('d6d0cec4', 'hex')
const BIG5_ZHONGWEN = Buffer.from('a4a4a4e5', 'hex')
/** U+20000 𠀀: a four-byte GB18030 sequence that plain GBK lacks. */
const GB18030_ONLY = Buffer.from('95328236', 'hex')
const UTF8_BOM = Buffer.from('efbbbf', 'hex')

function rssWithTitle(title: Buffer, prolog = '<?xml version="1.0"?>'): Buffer {
  return Buffer.concat([Buffer.from(`${prolog}<rss><channel><title>`), title, Buffer.from('</title></channel></rss>')])
}

function served(body: Buffer, contentType: string) {
  return { body, headers: { 'content-type': contentType } }
}

describe('createFetcher: charset', () => {
  let server: FeedServer
  let fetcher: Fetcher
  const fetchers = createTestFetchers()

  beforeAll(async () => {
    server = await createFeedServer({
      '/gbk-header.xml': served(rssWithTitle(GBK_ZHONGWEN), 'application/rss+xml; charset=GBK'),
      '/gbk-prolog.xml': served(
        rssWithTitle(GBK_ZHONGWEN, '<?xml version="1.0" encoding="gbk"?>'),
        'application/rss+xml',
      ),
      '/bom.xml': served(Buffer.concat([UTF8_BOM, rssWithTitle(Buffer.from('中文'))]), 'application/xml'),
      '/mislabelled.xml': served(rssWithTitle(GBK_ZHONGWEN), 'application/xml; charset=utf-8'),
      '/gb2312.xml': served(rssWithTitle(Buffer.concat([GBK_ZHONGWEN, GB18030_ONLY])), 'text/xml; charset="GB2312"'),
      '/big5.xml': served(rssWithTitle(BIG5_ZHONGWEN), 'application/xml; charset=big5'),
      '/meta.html': served(
        Buffer.concat([Buffer.from('<html><head><meta charset="big5"><title>'), BIG5_ZHONGWEN, Buffer.from('</title>')]),
        'text/html',
      ),
      '/unlabelled.xml': served(rssWithTitle(Buffer.from('中文')), 'application/xml'),
      '/unknown-label.xml': served(
        rssWithTitle(GBK_ZHONGWEN, '<?xml version="1.0" encoding="GB2312"?>'),
        'application/xml; charset=x-no-such-charset',
      ),
    })
    fetcher = fetchers.create()
  })

  afterAll(async () => {
    await fetchers.closeAll()
    await server.close()
  })

  async function fetchOk(path: string, charset?: string) {
    const result = await fetcher.fetchText({ url: `${server.url}${path}`, charset })
    if (result.status !== 'ok') throw new Error(`expected a body from ${path}`)
    return result
  }

  it('decodes GBK named only in the Content-Type header as GB18030', async () => {
    const result = await fetchOk('/gbk-header.xml')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'gb18030', reason: 'header' },
    ])
  })

  it('decodes GBK named only in the XML prolog', async () => {
    const result = await fetchOk('/gbk-prolog.xml')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'gb18030', reason: 'prolog' },
    ])
  })

  it('decodes a UTF-8 BOM body and strips the BOM', async () => {
    const result = await fetchOk('/bom.xml')
    expect([result.text.slice(0, 5), result.charset]).toEqual(['<?xml', { encoding: 'utf-8', reason: 'bom' }])
  })

  it('lets the per-source override beat a wrong header', async () => {
    const result = await fetchOk('/mislabelled.xml', 'gbk')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'gb18030', reason: 'override' },
    ])
  })

  it('decodes a GB2312 label as GB18030, including characters GB2312 lacks', async () => {
    const result = await fetchOk('/gb2312.xml')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文𠀀</title>'),
      { encoding: 'gb18030', reason: 'header' },
    ])
  })

  it('decodes Big5', async () => {
    const result = await fetchOk('/big5.xml')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'big5', reason: 'header' },
    ])
  })

  it('decodes an HTML page by its meta charset', async () => {
    const result = await fetchOk('/meta.html')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'big5', reason: 'meta' },
    ])
  })

  it('falls back to UTF-8 without any clue', async () => {
    const result = await fetchOk('/unlabelled.xml')
    expect([result.text, result.charset]).toEqual([
      expect.stringContaining('<title>中文</title>'),
      { encoding: 'utf-8', reason: 'default' },
    ])
  })

  it('skips an unknown header label and uses the prolog', async () => {
    const result = await fetchOk('/unknown-label.xml')
    expect(result.charset).toEqual({ encoding: 'gb18030', reason: 'prolog' })
  })

  it('skips an unknown override label and uses the header', async () => {
    const result = await fetchOk('/big5.xml?override', 'no-such-charset')
    expect(result.charset).toEqual({ encoding: 'big5', reason: 'header' })
  })
})
