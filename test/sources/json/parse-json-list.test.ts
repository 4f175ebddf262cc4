import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ParseError } from '../../../src/errors.js'
import { type ParseJsonListOptions, parseJsonList } from '../../../src/sources/json/parse-json-list.js'
import { catchError } from '../../helpers/catch-error.js'

const API_URL = 'https://api.example.com/webapi?count=100'
const seedList = readFileSync(join(import.meta.dirname, '../../fixtures/seed-article/list.json'), 'utf8')

function options(overrides: Partial<ParseJsonListOptions> = {}): ParseJsonListOptions {
  return {
    url: API_URL,
    items: 'record',
    fields: { infoCode: 'infoCode', title: 'title', published: 'datetime', media: 'medianame', summary: 'digest' },
    ...overrides,
  }
}

describe('parseJsonList', () => {
  it('maps the seed list record to a raw entry with every mapped field', () => {
    expect(parseJsonList(seedList, options())).toEqual([
      {
        infoCode: 'NW202201112243496752',
        title: '深圳金融基础设施建设又添重要生力军：深圳征信服务有限公司通过备案正式运行',
        published: '2022-01-11 13:35:18',
        media: '每日经济新闻',
        summary: '1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。',
      },
    ])
  })

  it('fills the share link template with the API_URL-encoded infoCode', () => {
    const [entry] = parseJsonList(seedList, options({ shareLink: 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode={infoCode}' }))
    expect(entry?.shareLink).toBe('http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201112243496752')
  })

  it('encodes template values that are not API_URL-safe', () => {
    const text = JSON.stringify({ record: [{ title: 'a', code: 'A B/中' }] })
    const [entry] = parseJsonList(text, options({ fields: { title: 'title', infoCode: 'code' }, shareLink: 'https://s.example.com/share?c={infoCode}&t={title}' }))
    expect(entry?.shareLink).toBe('https://s.example.com/share?c=A%20B%2F%E4%B8%AD&t=a')
  })

  it('leaves out the share link when a placeholder has no value', () => {
    const text = JSON.stringify({ record: [{ title: 'a' }] })
    const [entry] = parseJsonList(text, options({ shareLink: 'https://s.example.com/share?c={infoCode}' }))
    expect(entry).toEqual({ title: 'a' })
  })

  it('reads nested dot paths, array indexes and numbers', () => {
    const text = JSON.stringify({
      data: { list: [{ meta: { id: 42, time: 1641879318 }, headline: { text: '标题' }, links: ['https://a.example.com/1'] }] },
    })
    const fields = { guid: 'meta.id', published: 'meta.time', title: 'headline.text', link: 'links.0' }
    expect(parseJsonList(text, options({ items: 'data.list', fields }))).toEqual([
      { guid: '42', published: '1641879318', title: '标题', link: 'https://a.example.com/1' },
    ])
  })

  it('reads an answer that is the item array itself when items is empty', () => {
    expect(parseJsonList('[{"title":"一"},{"title":"二"}]', options({ items: '', fields: { title: 'title' } }))).toEqual([
      { title: '一' },
      { title: '二' },
    ])
  })

  it('skips blank, null, object and boolean field values', () => {
    const text = JSON.stringify({ record: [{ title: '  ', digest: null, medianame: { n: 1 }, infoCode: true }] })
    expect(parseJsonList(text, options())).toEqual([{}])
  })

  it('ignores a UTF-8 byte order mark', () => {
    expect(parseJsonList(`\uFEFF${seedList}`, options())).toHaveLength(1)
  })

  it('refuses an HTML answer with E_PARSE_JSON naming the API_URL, keeping the cause', () => {
    const err = catchError(() => parseJsonList('<!DOCTYPE html><html><body>登录</body></html>', options()))
    expect(err).toBeInstanceOf(ParseError)
    expect(err).toMatchObject({ code: 'E_PARSE_JSON', message: expect.stringContaining(`an HTML page from ${API_URL}`) })
    expect((err as ParseError).cause).toBeInstanceOf(SyntaxError)
  })

  it('refuses malformed JSON with E_PARSE_JSON', () => {
    expect(catchError(() => parseJsonList('{"record": [', options()))).toMatchObject({
      code: 'E_PARSE_JSON',
      message: expect.stringContaining('malformed JSON'),
    })
  })

  it('refuses an items path that is not an array with E_PARSE_FORMAT', () => {
    expect(catchError(() => parseJsonList('{"record": {"title": "x"}}', options()))).toMatchObject({
      code: 'E_PARSE_FORMAT',
      message: `no item array in ${API_URL}: "record" is an object`,
    })
  })

  it('refuses a missing items path with E_PARSE_FORMAT', () => {
    expect(catchError(() => parseJsonList('{"data": []}', options()))).toMatchObject({
      code: 'E_PARSE_FORMAT',
      message: `no item array in ${API_URL}: "record" is missing`,
    })
  })
})
