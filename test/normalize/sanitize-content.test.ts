import { describe, expect, it } from 'vitest'
import { sanitizeContent } from '../../src/normalize/sanitize-content.js'

const BASE = 'https://finance.example.com/news/2022/'

describe('sanitizeContent', () => {
  it('keeps article markup', () => {
    const html =
      '<h2>要点</h2><p>央行<strong>开展</strong><em>逆回购</em>操作<sup>1</sup></p><ul><li>7天期</li></ul><blockquote>维护流动性</blockquote><table><tbody><tr><td>2.20%</td></tr></tbody></table>'
    expect(sanitizeContent(html, BASE)).toBe(html)
  })

  it('removes script and style with their text', () => {
    expect(sanitizeContent('<p>正文</p><script>alert("x")</script><style>p{color:red}</style>', BASE)).toBe('<p>正文</p>')
  })

  it('removes iframes, objects, embeds and forms', () => {
    const html =
      '<p>正文</p><iframe src="https://ads.example.com/">广告</iframe><object data="x.swf"></object><embed src="x.swf"><form action="/s"><input name="q"><button>搜索</button></form>'
    expect(sanitizeContent(html, BASE)).toBe('<p>正文</p>')
  })

  it('removes event handler and style attributes', () => {
    expect(sanitizeContent('<p onclick="steal()" style="color:red">来源</p>', BASE)).toBe('<p>来源</p>')
  })

  it('keeps the class of a paragraph, as the seed posts carry <p class="em_media">', () => {
    expect(sanitizeContent('<p class="em_media" onclick="steal()">（文章来源：每日经济新闻）</p>', BASE)).toBe(
      '<p class="em_media">（文章来源：每日经济新闻）</p>',
    )
  })

  it('removes javascript: and vbscript: links but keeps the text', () => {
    expect(sanitizeContent('<a href="javascript:alert(1)">点击</a><a href="vbscript:x">这里</a>', BASE)).toBe(
      '<a>点击</a><a>这里</a>',
    )
  })

  it('removes images with a data: or javascript: src', () => {
    expect(sanitizeContent('<p><img src="data:image/png;base64,AAAA"><img src="javascript:x">图</p>', BASE)).toBe(
      '<p>图</p>',
    )
  })

  it('keeps mailto links', () => {
    expect(sanitizeContent('<a href="mailto:tips@finance.example.com">爆料</a>', BASE)).toBe(
      '<a href="mailto:tips@finance.example.com">爆料</a>',
    )
  })

  it('makes relative href and src absolute against the base', () => {
    expect(sanitizeContent('<a href="../docs/a.pdf">全文</a><img src="/img/b.png" alt="图">', BASE)).toBe(
      '<a href="https://finance.example.com/news/docs/a.pdf">全文</a><img src="https://finance.example.com/img/b.png" alt="图" />',
    )
  })

  it('gives undefined when nothing is left', () => {
    expect(sanitizeContent('  <script>x()</script> ', BASE)).toBeUndefined()
  })
})
