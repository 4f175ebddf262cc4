import { describe, expect, it } from 'vitest'
import { parseOpml } from '../../src/config/parse-opml.js'
import { ParseError } from '../../src/errors.js'

describe('parseOpml', () => {
  it('reads nested outlines with decoded attributes and their lines', () => {
    const text = `<?xml version="1.0"?>
<!-- exported -->
<opml version="2.0">
  <head><title>我的 &amp; 订阅</title></head>
  <body>
    <outline text="财经">
      <outline text="A &lt;b&gt; &#x4E2D;&#25991;" xmlUrl='https://a.example/rss?x=1&amp;y=2'/>
    </outline>
  </body>
</opml>`
    expect(parseOpml(text, 'subs.opml')).toEqual({
      title: '我的 & 订阅',
      outlines: [
        { attributes: { text: '财经' }, line: 6, children: [{ attributes: { text: 'A <b> 中文', xmlUrl: 'https://a.example/rss?x=1&y=2' }, line: 7, children: [] }] },
      ],
    })
  })

  it('refuses a DOCTYPE that declares entities, so nothing can expand', () => {
    const text = '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body><outline text="&a;"/></body></opml>'
    expect(() => parseOpml(text, 'x.opml')).toThrow(/DOCTYPE with its own entity declarations/)
  })

  it('says which file is not OPML', () => {
    expect(() => parseOpml('<rss version="2.0"><channel/></rss>', 'feed.xml')).toThrow(new ParseError('E_PARSE_FORMAT', 'not OPML: feed.xml has a <rss> root element, not <opml>'))
  })

  it('names the line of a tag that is never closed', () => {
    expect(() => parseOpml('<opml>\n<body>\n<outline text="a">\n</body></opml>', 'x.opml')).toThrow(/^malformed OPML in x.opml: Unexpected close tag <\/body>, expected <\/outline> at line 4, column 1$/)
  })
})
