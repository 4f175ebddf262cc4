import { describe, expect, it } from 'vitest'
import { htmlToText } from '../../src/text/html-to-text.js'

describe('htmlToText', () => {
  it('strips tags, decodes entities and collapses whitespace', () => {
    expect(htmlToText('  <b>沪指</b>&nbsp;跌 0.73%\n &amp; 深成指 &lt;跌&gt; ')).toBe('沪指 跌 0.73% & 深成指 <跌>')
  })

  it('keeps words of adjacent blocks apart', () => {
    expect(htmlToText('<p>first</p><p>second</p>')).toBe('first second')
  })

  it('drops script text', () => {
    expect(htmlToText('标题<script>x()</script>')).toBe('标题')
  })

  it('keeps a caption apart from the text after its figure, and inline words together', () => {
    expect(htmlToText('<figure><img src="https://a.example/1.png"><figcaption>走势图</figcaption></figure>沪<b>指</b>收涨')).toBe('走势图 沪指收涨')
  })

  it('decodes every HTML named entity', () => {
    expect(htmlToText('涨停&hellip;&nbsp;&mdash;&copy;')).toBe('涨停… —©')
  })
})
