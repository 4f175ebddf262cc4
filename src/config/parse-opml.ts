import { ParseError, XmlSyntaxError } from '../errors.js'
import { parseXmlSync, type XmlElement } from '../xml/parse-xml.js'
import { readProlog } from '../xml/read-prolog.js'
import { stripInvalidXml } from '../xml/strip-invalid-xml.js'

/** One `<outline>` with its attributes as written (entities decoded) and its nested outlines. */
export interface OpmlOutline {
  attributes: Readonly<Record<string, string>>
  children: OpmlOutline[]
  /** 1-based line of the `<outline` tag, for messages. */
  line: number
}

export interface OpmlDocument {
  title?: string
  outlines: OpmlOutline[]
}

/**
 * Elements open at once, `<opml>` and `<body>` included. Readers' folders nest a few levels; the
 * outline tree is walked recursively later, so thousands of levels would overflow the stack.
 */
const MAX_OPML_DEPTH = 64

/**
 * OPML 1.0/2.0 text → its `<body>` outlines, read with the XML reader feeds are read with and, as
 * feeds are, without the characters XML does not allow (readers export control characters pasted
 * into titles). A DOCTYPE with an internal subset is refused, so no entity can expand.
 * @throws ParseError E_PARSE_XML when the text is not well-formed, E_PARSE_FORMAT when it is not OPML,
 * E_PARSE_TOO_DEEP when elements nest deeper than MAX_OPML_DEPTH
 */
export function parseOpml(text: string, source: string): OpmlDocument {
  const document = stripInvalidXml(text).replace(/^\uFEFF/, '')
  const { doctype, rest } = readProlog(document)
  const start = document.length - rest.length
  if (doctype?.includes('[')) {
    const line = document.slice(0, document.indexOf(doctype)).split('\n').length
    throw new ParseError('E_PARSE_XML', `malformed OPML in ${source} at line ${line}: a DOCTYPE with its own entity declarations is not accepted`)
  }
  const rootName = /^<([^\s/>]+)/.exec(rest)?.[1]
  if (rootName === undefined) throw new ParseError('E_PARSE_FORMAT', `not OPML: ${source} has no elements`)
  if (rootName !== 'opml') throw new ParseError('E_PARSE_FORMAT', `not OPML: ${source} has a <${rootName}> root element, not <opml>`)
  let root: XmlElement
  try {
    root = parseXmlSync(document, start, { lines: true })
  } catch (cause) {
    if (!(cause instanceof XmlSyntaxError)) throw cause
    throw new ParseError('E_PARSE_XML', `malformed OPML in ${source}: ${cause.message}`, { cause })
  }
  checkDepth(root, 1, source)
  const head = childElements(root, 'head')[0]
  const titleElement = head === undefined ? undefined : childElements(head, 'title')[0]
  const title = titleElement?.children.filter((child) => typeof child === 'string').join('').trim()
  const body = childElements(root, 'body')[0]
  return { ...(title ? { title } : {}), outlines: body === undefined ? [] : childElements(body, 'outline').map(toOutline) }
}

function checkDepth(element: XmlElement, depth: number, source: string): void {
  if (depth > MAX_OPML_DEPTH) {
    throw new ParseError('E_PARSE_TOO_DEEP', `OPML in ${source} nests elements more than ${MAX_OPML_DEPTH} deep at line ${element.line}; flatten its folders`)
  }
  for (const child of element.children) if (typeof child !== 'string') checkDepth(child, depth + 1, source)
}

function toOutline(element: XmlElement): OpmlOutline {
  return { attributes: element.attributes, children: childElements(element, 'outline').map(toOutline), line: element.line ?? 0 }
}

function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}
