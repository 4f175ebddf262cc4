import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseJsonDetail } from '../../../src/sources/json/parse-json-detail.js'
import { catchError } from '../../helpers/catch-error.js'

const API_URL = 'https://api.example.com/GetNewsText.do?id=NW202201112243496752'
const seedDetail = readFileSync(join(import.meta.dirname, '../../fixtures/seed-article/detail.json'), 'utf8')

describe('parseJsonDetail', () => {
  it('returns the seed article text exactly as served', () => {
    expect(parseJsonDetail(seedDetail, 'text', API_URL)).toBe((JSON.parse(seedDetail) as { text: string }).text)
  })

  it('reads a nested content path', () => {
    expect(parseJsonDetail('{"data":{"items":[{"html":"<p>正文</p>"}]}}', 'data.items.0.html', API_URL)).toBe('<p>正文</p>')
  })

  it('refuses an answer without text at the path with E_PARSE_FORMAT', () => {
    expect(catchError(() => parseJsonDetail('{"data":{}}', 'text', API_URL))).toMatchObject({
      code: 'E_PARSE_FORMAT',
      message: `no article text in ${API_URL}: "text" holds nothing`,
    })
  })

  it('refuses an empty text with E_PARSE_FORMAT', () => {
    expect(catchError(() => parseJsonDetail('{"text":"  "}', 'text', API_URL))).toMatchObject({ code: 'E_PARSE_FORMAT' })
  })

  it('refuses an HTML error page with E_PARSE_JSON', () => {
    expect(catchError(() => parseJsonDetail('<html><body>502 Bad Gateway</body></html>', 'text', API_URL))).toMatchObject({
      code: 'E_PARSE_JSON',
      message: expect.stringContaining('an HTML page'),
    })
  })
})
