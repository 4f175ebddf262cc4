import { describe, expect, it } from 'vitest'
import { XmlSyntaxError } from '../../src/errors.js'
import { parseXml, type XmlElement } from '../../src/xml/parse-xml.js'

/** The document element of `xml`, which starts at its first `<` that opens an element. */
function parse(xml: string): Promise<XmlElement> {
  return parseXml(xml, xml.search(/<[^?!]/))
}

async function syntaxError(xml: string): Promise<string> {
  const error: unknown = await parse(xml).catch((err: unknown) => err)
  if (!(error instanceof XmlSyntaxError)) throw new Error(`expected an XmlSyntaxError, got ${String(error)}`)
  return error.message
}

/** The text children of the document element, joined. */
async function textOf(xml: string): Promise<string> {
  return (await parse(xml)).children.filter((child) => typeof child === 'string').join('')
}

describe('parseXml: tree', () => {
  it('keeps elements, attributes and text in document order', async () => {
    expect(await parse('<a x="1">one<b/>two<c y="2">three</c></a>')).toEqual({
      name: 'a',
      attributes: { x: '1' },
      children: ['one', { name: 'b', attributes: {}, children: [] }, 'two', { name: 'c', attributes: { y: '2' }, children: ['three'] }],
    })
  })

  it('keeps prefixed names whole and namespace declarations as attributes, resolving nothing', async () => {
    const root = await parse(
      '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><content:encoded>c</content:encoded><dc:date>d</dc:date><atom:link href="h"/></rss>',
    )
    expect(root.attributes).toEqual({ 'xmlns:content': 'http://purl.org/rss/1.0/modules/content/', 'xmlns:dc': 'http://purl.org/dc/elements/1.1/' })
    expect(root.children.map((child) => (typeof child === 'string' ? child : child.name))).toEqual(['content:encoded', 'dc:date', 'atom:link'])
  })

  it('keeps the first of two same-named attributes', async () => {
    expect((await parse('<link href="a" href="b"/>')).attributes).toEqual({ href: 'a' })
  })

  it('reads nothing after the document element', async () => {
    expect(await parse('<rss>t</rss><junk>&undefined;')).toEqual({ name: 'rss', attributes: {}, children: ['t'] })
  })

  it('skips comments and processing instructions inside elements, and allows whitespace after <', async () => {
    expect(await textOf('<a>one<!-- two --><?pi three?>four< b/></ a >')).toBe('onefour')
  })
})

describe('parseXml: references and CDATA', () => {
  it('decodes the five XML entities, in text and in attribute values', async () => {
    const root = await parse(`<a title="&lt;&amp;&quot;&apos;&gt;">&lt;p&gt;AT&amp;T&apos;s &quot;x&quot;</a>`)
    expect([root.attributes.title, root.children[0]]).toEqual([`<&"'>`, `<p>AT&T's "x"`])
  })

  it('decodes the HTML 4 names feeds use undeclared, and their upper-case spellings', async () => {
    expect(await textOf('<a>&nbsp;&copy;&eacute;&Eacute;&hearts;&NBSP;&AMP;</a>')).toBe('\u00A0©éÉ♥\u00A0&')
  })

  it('decodes decimal and hexadecimal character references, astral ones included', async () => {
    expect(await textOf('<a>&#20013;&#x6587;&#X41;&#x1F600;&#0065;</a>')).toBe('中文A😀A')
  })

  it('keeps CDATA verbatim, references and markup included, in order with the text around it', async () => {
    expect(await textOf('<a>x &amp; <![CDATA[<b>&amp;</b> ]]]]><![CDATA[>]]> y</a>')).toBe('x & <b>&amp;</b> ]]> y')
  })

  it('decodes a long run of text split into steps without breaking a reference', async () => {
    const text = await textOf(`<a>${'&amp;x'.repeat(50_000)}</a>`)
    expect([text.length, text === '&x'.repeat(50_000)]).toEqual([100_000, true])
  })

  it('refuses an entity it does not know', async () => {
    expect(await syntaxError('<a>&foo;</a>')).toMatch(/^Undefined entity &foo; at line 1, column 4$/)
  })

  it('refuses an entity declared in the document, which it never expands', async () => {
    const xml = '<!DOCTYPE a [<!ENTITY boom "expanded">]><a>&boom;</a>'
    expect(await syntaxError(xml)).toMatch(/^Undefined entity &boom;/)
  })

  it('refuses a bare & and a reference to a character XML does not allow', async () => {
    expect(await syntaxError('<a>AT&T</a>')).toMatch(/^Invalid character entity/)
    expect(await syntaxError('<a>&#xFFFF;</a>')).toMatch(/^Invalid character entity/)
  })
})

describe('parseXml: malformed documents', () => {
  it.each([
    ['<a><b></a>', /^Unexpected close tag <\/a>, expected <\/b> at line 1, column 7$/],
    ['<a>\n<b>text', /^Unclosed root tag at line 2, column 8$/],
    ['<a x=1/>', /^Unquoted attribute value/],
    ['<a x/>', /^Attribute without value/],
    ['<a x="1"y="2"/>', /^Invalid character in tag/],
    ['<a>1 < 2</a>', /^Unencoded </],
    ['<a><!-- a -- b --></a>', /^Malformed comment/],
    ['<a><![CDATA[x</a>', /^Unclosed CDATA section/],
    ['<a><!DOCTYPE a></a>', /^Inappropriately located doctype declaration/],
  ])('%s', async (xml, reason) => {
    expect(await syntaxError(xml)).toMatch(reason)
  })

  it('refuses a start tag longer than 1 MiB instead of reading its attributes in one go', async () => {
    const attributes = Array.from({ length: 100_000 }, (_, n) => `a${n}="${n}"`).join(' ')
    expect(await syntaxError(`<a ${attributes}/>`)).toMatch(/^Start tag <a> longer than 1048576 characters/)
  })

  it('reads elements nested far deeper than the call stack goes', async () => {
    let root = await parse(`<a>${'<b>'.repeat(100_000)}x${'</b>'.repeat(100_000)}</a>`)
    let depth = 0
    for (let child = root.children[0]; typeof child === 'object'; child = child.children[0]) {
      root = child
      depth += 1
    }
    expect([depth, root.children]).toEqual([100_000, ['x']])
  })
})

describe('parseXml: lenient read', () => {
  function lenient(xml: string): Promise<XmlElement> {
    return parseXml(xml, 0, { lenient: true })
  }

  it('keeps a bare & and an undefined entity as text', async () => {
    expect((await lenient('<a>Fish & Chips &bogus; &amp; more</a>')).children).toEqual(['Fish & Chips &bogus; & more'])
  })

  it('skips a stray end tag', async () => {
    expect(await lenient('<a><b>x</p></b></a>')).toEqual({ name: 'a', attributes: {}, children: [{ name: 'b', attributes: {}, children: ['x'] }] })
  })

  it('closes the elements a mismatched end tag skips', async () => {
    const root = await lenient('<a><b><c>x</b><d/></a>')
    expect(root.children.map((child) => (typeof child === 'string' ? child : child.name))).toEqual(['b', 'd'])
  })

  it('closes what a truncated document left open, marking it unclosed', async () => {
    const root = await lenient('<a><b>whole</b><c>cut <d x="1')
    const [b, c] = root.children as XmlElement[]
    expect([root.unclosed, b?.unclosed, c?.unclosed, c?.children]).toEqual([true, undefined, true, ['cut ']])
  })
})
