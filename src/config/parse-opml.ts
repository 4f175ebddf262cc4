import { ParseError } from '../errors.js'

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

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Elements open at once, `<opml>` and `<body>` included. Readers' folders nest a few levels; the
 * outline tree is walked recursively later, so thousands of levels would overflow the stack.
 */
const MAX_OPML_DEPTH = 64

/**
 * OPML 1.0/2.0 text → its `<body>` outlines. A small XML reader of our own (config/ does not import
 * the XML library publish/ uses): elements, attributes, comments, CDATA and the five XML entities
 * plus character references. A DOCTYPE with an internal subset is refused, so no entity can expand.
 * @throws ParseError E_PARSE_XML when the text is not well-formed, E_PARSE_FORMAT when it is not OPML,
 * E_PARSE_TOO_DEEP when elements nest deeper than MAX_OPML_DEPTH
 */
export function parseOpml(text: string, source: string): OpmlDocument {
  const stack: { name: string; outline?: OpmlOutline }[] = []
  const top: OpmlOutline[] = []
  let root: string | undefined
  let title: string | undefined
  let titleStart: number | undefined
  let at = 0
  let line = 1
  let lineCountedTo = 0
  const lineAt = (offset: number) => {
    for (; lineCountedTo < offset; lineCountedTo++) if (text.charCodeAt(lineCountedTo) === 10) line++
    return line
  }
  const fail = (offset: number, reason: string): never => {
    throw new ParseError('E_PARSE_XML', `malformed OPML in ${source} at line ${lineAt(offset)}: ${reason}`)
  }
  const skipPast = (end: string, what: string) => {
    const found = text.indexOf(end, at)
    if (found === -1) fail(at, `unclosed ${what}`)
    at = found + end.length
  }

  if (text.charCodeAt(0) === 0xfeff) at = 1
  while (at < text.length) {
    const lt = text.indexOf('<', at)
    if (lt === -1) break
    at = lt
    if (text.startsWith('<?', at)) skipPast('?>', 'processing instruction')
    else if (text.startsWith('<!--', at)) skipPast('-->', 'comment')
    else if (text.startsWith('<![CDATA[', at)) skipPast(']]>', 'CDATA section')
    else if (/^<!doctype/i.test(text.slice(at, at + 9))) {
      const end = text.indexOf('>', at)
      if (end === -1) fail(at, 'unclosed DOCTYPE')
      if (text.slice(at, end).includes('[')) fail(at, 'a DOCTYPE with its own entity declarations is not accepted')
      at = end + 1
    } else if (text.startsWith('</', at)) {
      const match = /^<\/([^\s>]+)\s*>/.exec(text.slice(at, at + 200))
      if (match === null) fail(at, 'bad closing tag')
      const name = (match as RegExpExecArray)[1] as string
      const open = stack.pop()
      if (open?.name !== name) fail(at, open === undefined ? `</${name}> closes nothing` : `</${name}> closes <${open.name}>`)
      if (name === 'title' && titleStart !== undefined) {
        title = decodeText(text.slice(titleStart, at)).trim() || undefined
        titleStart = undefined
      }
      at += (match as RegExpExecArray)[0].length
    } else {
      const tag = readStartTag(text, at, fail)
      const parentNames = stack.map((entry) => entry.name)
      if (root === undefined) {
        root = tag.name
        if (root !== 'opml') throw new ParseError('E_PARSE_FORMAT', `not OPML: ${source} has a <${root}> root element, not <opml>`)
      } else if (stack.length === 0) fail(at, 'more than one root element')
      let outline: OpmlOutline | undefined
      const parent = stack.at(-1)
      const siblings = parent?.outline?.children ?? (parent?.name === 'body' && parentNames.length === 2 ? top : undefined)
      if (tag.name === 'outline' && siblings !== undefined) {
        outline = { attributes: tag.attributes, children: [], line: lineAt(at) }
        siblings.push(outline)
      }
      if (tag.name === 'title' && parent?.name === 'head' && !tag.selfClosing) titleStart = tag.end
      at = tag.end
      if (!tag.selfClosing && stack.length === MAX_OPML_DEPTH) {
        throw new ParseError('E_PARSE_TOO_DEEP', `OPML in ${source} nests elements more than ${MAX_OPML_DEPTH} deep at line ${lineAt(tag.end)}; flatten its folders`)
      }
      if (!tag.selfClosing) stack.push({ name: tag.name, ...(outline ? { outline } : {}) })
    }
  }
  if (root === undefined) throw new ParseError('E_PARSE_FORMAT', `not OPML: ${source} has no elements`)
  const unclosed = stack.at(-1)
  if (unclosed !== undefined) fail(text.length, `<${unclosed.name}> is never closed`)
  return { ...(title ? { title } : {}), outlines: top }
}

function readStartTag(
  text: string,
  start: number,
  fail: (offset: number, reason: string) => never,
): { name: string; attributes: Record<string, string>; selfClosing: boolean; end: number } {
  const nameMatch = /<([A-Za-z_][\w.:-]*)/y
  nameMatch.lastIndex = start
  const name = nameMatch.exec(text)?.[1]
  if (name === undefined) fail(start, 'bad tag')
  const attributes: Record<string, string> = {}
  const attribute = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y
  const close = /\s*(\/?)>/y
  let at = nameMatch.lastIndex
  for (;;) {
    close.lastIndex = at
    const end = close.exec(text)
    if (end !== null) return { name: name as string, attributes, selfClosing: end[1] === '/', end: close.lastIndex }
    attribute.lastIndex = at
    const match = attribute.exec(text)
    if (match === null) return fail(at, `bad attribute in <${name}>`)
    const attrName = match[1] as string
    if (Object.hasOwn(attributes, attrName)) fail(at, `attribute ${attrName} repeated in <${name}>`)
    attributes[attrName] = decodeText(match[2] ?? match[3] ?? '')
    at = attribute.lastIndex
  }
}

/** The five XML entities and character references; anything else is left as written. */
function decodeText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return XML_ENTITIES[name] ?? whole
  })
}
