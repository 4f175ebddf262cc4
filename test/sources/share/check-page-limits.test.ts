import { describe, expect, it } from 'vitest'
import { checkPageLimits, MAX_PAGE_CHARS, MAX_PAGE_DEPTH, MAX_PAGE_ELEMENTS } from '../../../src/sources/share/check-page-limits.js'
import { catchError } from '../../helpers/catch-error.js'

const URL = 'http://finews.example.com/html_News/NewsShare.html?infoCode=NW202201112243496752'

function nested(depth: number, tag = 'div'): string {
  return `<!doctype html><html><head><title>t</title></head><body>${`<${tag}>`.repeat(depth)}<p>正文</p>${`</${tag}>`.repeat(depth)}</body></html>`
}

describe('checkPageLimits', () => {
  it.each([2_000, 150_000])('refuses %i nested <div>s as E_PARSE_TOO_DEEP naming the page', (depth) => {
    expect(catchError(() => checkPageLimits(nested(depth), URL))).toMatchObject({
      code: 'E_PARSE_TOO_DEEP',
      message: `cannot extract an article from ${URL}: its elements nest deeper than ${MAX_PAGE_DEPTH} levels`,
    })
  })

  it('refuses nesting just past the cap, also left unclosed', () => {
    expect(catchError(() => checkPageLimits(`<body>${'<span>'.repeat(MAX_PAGE_DEPTH + 1)}`, URL))).toMatchObject({ code: 'E_PARSE_TOO_DEEP' })
  })

  it('accepts nesting at the cap', () => {
    expect(checkPageLimits(nested(MAX_PAGE_DEPTH - 2), URL)).toBeUndefined()
  })

  it('accepts thousands of elements side by side, unclosed paragraphs and list items, void and self-closed tags', () => {
    const flat = '<div><p>段落</div>'.repeat(5_000) + '<ul>' + '<li>条目'.repeat(3_000) + '</ul>' + '<br><img src="a.png"><hr/>'.repeat(1_000) + '<span/>'.repeat(1_000)
    expect(checkPageLimits(`<body>${flat}</body>`, URL)).toBeUndefined()
  })

  it('does not count markup inside scripts, styles, titles and comments', () => {
    const quoted = '<div>'.repeat(MAX_PAGE_DEPTH * 2)
    const page = `<title>${quoted}</title><script>var s = "${quoted}"</script><style>/* ${quoted} */</style><!-- ${quoted} --><body><p>正文</p></body>`
    expect(checkPageLimits(page, URL)).toBeUndefined()
  })

  it('refuses a flat page of more elements than the cap as E_PARSE_TOO_LARGE naming the page and the cap', () => {
    const page = `<body>${'<p>段落</p>'.repeat(MAX_PAGE_ELEMENTS)}</body>`
    expect(catchError(() => checkPageLimits(page, URL))).toMatchObject({
      code: 'E_PARSE_TOO_LARGE',
      message: `cannot extract an article from ${URL}: the page has more than the ${MAX_PAGE_ELEMENTS} elements a page may have`,
    })
  })

  it('accepts a long attribute: size counts only past the character cap', () => {
    const page = `<head><meta property="og:title" content="${'题'.repeat(2_000_000)}"></head><body><p>正文</p></body>`
    expect(checkPageLimits(page, URL)).toBeUndefined()
  })

  it('refuses a page longer than the cap as E_PARSE_TOO_LARGE naming the page and the cap', () => {
    const page = `<body><p>${'x'.repeat(MAX_PAGE_CHARS)}</p></body>`
    expect(catchError(() => checkPageLimits(page, URL))).toMatchObject({
      code: 'E_PARSE_TOO_LARGE',
      message: `cannot extract an article from ${URL}: the page has ${page.length} characters, more than the ${MAX_PAGE_CHARS} a page may have`,
    })
  })
})
