import { describe, expect, it } from 'vitest'
import { ParseError } from '../../../src/errors.js'
import { extractArticle } from '../../../src/sources/share/extract-article.js'
import { catchError } from '../../helpers/catch-error.js'

const URL = 'http://finews.example.com/html_News/NewsShare.html?infoCode=NW202201112243496752'

const BODY = '<p>1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。</p><p>深圳人民银行表示，深圳征信服务有限公司的正式运行标志着深圳已形成多元化征信服务体系。</p>'

function page({ head = '', body = '' }: { head?: string; body?: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`
}

describe('extractArticle: defaults', () => {
  it('takes title, publish time and media from meta tags', () => {
    const html = page({
      head:
        '<title>深圳征信_东方财富网</title><meta property="og:title" content="深圳征信服务有限公司通过备案正式运行">' +
        '<meta property="article:published_time" content="2022-01-11T13:35:18+08:00"><meta name="source" content="每日经济新闻">',
      body: `<article>${BODY}</article>`,
    })
    expect(extractArticle(html, URL)).toMatchObject({
      title: '深圳征信服务有限公司通过备案正式运行',
      published: '2022-01-11T13:35:18+08:00',
      media: '每日经济新闻',
    })
  })

  it('takes the body from the main content, without navigation scripts', () => {
    const html = page({
      head: '<title>深圳征信</title>',
      body: `<script>track()</script><div id="main"><h1>深圳征信</h1>${BODY}</div>`,
    })
    const { content } = extractArticle(html, URL)
    expect(content).toContain('中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案')
    expect(content).not.toContain('track()')
  })

  it('falls back to <title>, then <h1>, for the title', () => {
    expect(extractArticle(page({ head: '<title>页面标题</title>', body: BODY }), URL).title).toBe('页面标题')
    expect(extractArticle(page({ body: `<h1>正文标题</h1>${BODY}` }), URL).title).toBe('正文标题')
  })

  it('reads <meta name="publishdate"> and <time datetime>', () => {
    const meta = page({ head: '<title>t</title><meta name="publishdate" content="2022-01-11 13:35:18">', body: BODY })
    expect(extractArticle(meta, URL).published).toBe('2022-01-11 13:35:18')
    const time = page({ head: '<title>t</title>', body: `<time datetime="2022-01-11T05:35:18Z">1月11日</time>${BODY}` })
    expect(extractArticle(time, URL).published).toBe('2022-01-11T05:35:18Z')
  })

  it('reads a printed 来源 line and header time when the page has no meta tags', () => {
    const html = page({
      head: '<title>深圳征信</title>',
      body: `<div class="info"><span>2022-01-11 13:35:18</span> <span>来源：每日经济新闻</span></div><div>${BODY}</div>`,
    })
    expect(extractArticle(html, URL)).toMatchObject({ published: '2022-01-11 13:35:18', media: '每日经济新闻' })
  })

  it('prefers the printed 来源 over the og:site_name of the portal showing the story', () => {
    const html = page({
      head: '<title>t</title><meta property="og:site_name" content="东方财富网">',
      body: `<p>文章来源：每日经济新闻</p>${BODY}`,
    })
    expect(extractArticle(html, URL).media).toBe('每日经济新闻')
  })

  it('uses og:site_name when nothing names the outlet', () => {
    const html = page({ head: '<title>t</title><meta property="og:site_name" content="证券时报网">', body: BODY })
    expect(extractArticle(html, URL).media).toBe('证券时报网')
  })
})

describe('extractArticle: selectors', () => {
  const html = page({
    head: '<title>站点首页</title><meta property="og:title" content="错误的标题">',
    body:
      '<div class="headline">选择器给出的标题</div><span class="when">2022年01月11日 13:35</span>' +
      `<span class="src">证券时报</span><div class="ad">广告内容很长很长很长</div><div class="text">${BODY}</div>`,
  })
  const selectors = { title: '.headline', published: '.when', media: '.src', content: '.text' }

  it('override every field they match', () => {
    expect(extractArticle(html, URL, selectors)).toEqual({
      title: '选择器给出的标题',
      published: '2022年01月11日 13:35',
      media: '证券时报',
      content: BODY,
    })
  })

  it('fall back to the defaults when they match nothing', () => {
    expect(extractArticle(html, URL, { title: '.missing', content: '#nope' }).title).toBe('错误的标题')
  })

  it('treat an invalid selector as matching nothing', () => {
    expect(extractArticle(html, URL, { title: '[[[' }).title).toBe('错误的标题')
  })
})

describe('extractArticle: failures', () => {
  it('refuses a page without a body with E_PARSE_EXTRACT naming the URL', () => {
    const err = catchError(() => extractArticle(page({ head: '<title>空页面</title>' }), URL))
    expect(err).toBeInstanceOf(ParseError)
    expect(err).toMatchObject({ code: 'E_PARSE_EXTRACT', message: `cannot extract an article from ${URL}: no body found` })
  })

  it('refuses a page without a title with E_PARSE_EXTRACT', () => {
    const err = catchError(() => extractArticle(page({ body: '<div>   </div>' }), URL))
    expect(err).toMatchObject({ code: 'E_PARSE_EXTRACT', message: `cannot extract an article from ${URL}: no title or body found` })
  })

  it('refuses text that is not HTML with E_PARSE_EXTRACT', () => {
    expect(catchError(() => extractArticle('just words', URL))).toMatchObject({ code: 'E_PARSE_EXTRACT' })
  })
})
