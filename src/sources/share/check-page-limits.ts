import { ParseError } from '../../errors.js'

/** Pages longer than this (characters) are refused before parsing: twice the cap on an article's content, with room for markup. */
export const MAX_PAGE_CHARS = 5_000_000

/**
 * Pages with more elements than this are refused before parsing: parsing and Readability cost
 * time and memory by the element (a flat page of 8.5 MB took 24 s and 2.7 GB). Articles have a
 * few thousand.
 */
export const MAX_PAGE_ELEMENTS = 60_000

/**
 * Pages whose elements nest deeper than this are refused before parsing: Readability's cost grows
 * with about the cube of the nesting (2,000 nested `<div>`s took minutes). Browsers stop nesting
 * at 512; articles stay far below this.
 */
export const MAX_PAGE_DEPTH = 256

/** Elements that never have content, so never nest. */
const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
])

/** Elements whose end tag may be left out: the parser closes them at the next sibling, so they do not nest. */
const OPTIONAL_END_ELEMENTS = new Set([
  'html', 'head', 'body', 'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'colgroup',
  'caption', 'option', 'optgroup', 'rb', 'rt', 'rtc', 'rp',
])

/** Elements whose content is text up to their end tag, however much it looks like markup. */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes'])

const TAG = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g

const END_TAGS = new Map([...RAW_TEXT_ELEMENTS].map((name) => [name, new RegExp(`</${name}`, 'gi')]))

/**
 * Refuses a page too long, with too many elements or too deeply nested to parse safely, in one
 * pass over its tags (no DOM is built). The depth counted is an upper bound of what a parser
 * builds, for elements that can nest; elements whose end tags may be omitted are not counted.
 * @throws ParseError E_PARSE_TOO_LARGE or E_PARSE_TOO_DEEP naming `url`
 */
export function checkPageLimits(html: string, url: string): void {
  if (html.length > MAX_PAGE_CHARS) {
    const message = `cannot extract an article from ${url}: the page has ${html.length} characters, more than the ${MAX_PAGE_CHARS} a page may have`
    throw new ParseError('E_PARSE_TOO_LARGE', message)
  }
  let depth = 0
  let elements = 0
  const tags = new RegExp(TAG.source, 'g')
  for (let match = tags.exec(html); match !== null; match = tags.exec(html)) {
    const [, closing, rawName, selfClosing] = match
    if (rawName === undefined) continue
    if (closing !== '/' && ++elements > MAX_PAGE_ELEMENTS) {
      const message = `cannot extract an article from ${url}: the page has more than the ${MAX_PAGE_ELEMENTS} elements a page may have`
      throw new ParseError('E_PARSE_TOO_LARGE', message)
    }
    const name = rawName.toLowerCase()
    if (VOID_ELEMENTS.has(name) || OPTIONAL_END_ELEMENTS.has(name)) continue
    const endTag = END_TAGS.get(name)
    if (endTag !== undefined) {
      if (closing === '/') continue
      endTag.lastIndex = tags.lastIndex
      tags.lastIndex = endTag.exec(html)?.index ?? html.length
      continue
    }
    if (closing === '/') {
      depth = Math.max(0, depth - 1)
      continue
    }
    if (selfClosing === '/') continue
    depth += 1
    if (depth > MAX_PAGE_DEPTH) {
      const message = `cannot extract an article from ${url}: its elements nest deeper than ${MAX_PAGE_DEPTH} levels`
      throw new ParseError('E_PARSE_TOO_DEEP', message)
    }
  }
}
