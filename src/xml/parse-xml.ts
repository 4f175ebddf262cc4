import { setImmediate as nextTurn } from 'node:timers/promises'
import { XmlSyntaxError } from '../errors.js'
import { expandEntityName } from '../text/decode-entities.js'
import { isXmlChar } from '../text/strip-invalid-xml-chars.js'

/** An element as written: prefixed names are kept whole (`content:encoded`), namespaces are not resolved. */
export interface XmlElement {
  name: string
  /** Entities decoded; the first of two same-named attributes wins. */
  attributes: Readonly<Record<string, string>>
  /** Text (CDATA and decoded references included) and child elements, in document order. */
  children: (XmlElement | string)[]
  /** Set by a lenient read when the document ended before this element's end tag. */
  unclosed?: true
  /** 1-based line of the start tag, when read with `lines`. */
  line?: number
}

export interface ParseXmlOptions {
  /**
   * Read what a forgiving parser would instead of failing: a bare `&` or an undefined entity is
   * kept as text, a stray end tag is skipped, a mismatched one closes the elements it skips, and
   * at the end of a truncated document the open elements close, marked `unclosed`. Still no DTD.
   */
  lenient?: boolean
  /** Record each element's line, for messages that point into a file a person edits. */
  lines?: boolean
}

/**
 * Characters read between turns of the event loop, a few milliseconds of work at most: a document
 * at the fetch byte cap must not hold the loop (other sources' sockets and deadlines) for long.
 */
const PARSE_CHUNK_CHARS = 64 * 1024

/**
 * A start tag's attributes are read in one go; past this length the document is refused rather
 * than hold the event loop. Real tags are far shorter, an inline data: image aside.
 */
const MAX_START_TAG_CHARS = 1024 * 1024

/** XML 1.0 §2.3 Name, matched one UTF-16 unit at a time: its ranges in the BMP, no surrogate pairs. */
const NAME =
  /[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u00B7\u0300-\u036F\u203F-\u2040.0-9-]*/y

/** A character reference or a named entity; which names expand is expandEntityName's business. */
const REFERENCE = /&(?:#[xX]([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z][A-Za-z0-9]*));/y

/** In any case: feeds write `<![cdata[` and `<!doctype` too. */
const CDATA_START = /!\[CDATA\[/iy
const DOCTYPE_START = /!DOCTYPE/iy

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>)

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const EQUALS = 0x3d
const DOUBLE_QUOTE = 0x22
const SINGLE_QUOTE = 0x27

/**
 * The document element that starts at `start` (readProlog has split off what comes before it),
 * read strictly: mismatched or unclosed tags, unquoted attributes, a bare `&` or an unknown entity
 * fail the document, as XML 1.0 requires. No DTD is read, so no entity can expand to anything but
 * one character. What follows the document element is not read, so trailing junk after a whole
 * feed does not fail it.
 * @throws XmlSyntaxError naming the problem and where it is
 */
export async function parseXml(text: string, start: number, options: ParseXmlOptions = {}): Promise<XmlElement> {
  const reader = new XmlReader(text, start, options)
  const root = reader.readRoot()
  let yieldAt = start + PARSE_CHUNK_CHARS
  while (!reader.done()) {
    if (reader.at >= yieldAt) {
      await nextTurn()
      yieldAt = reader.at + PARSE_CHUNK_CHARS
    }
    readStep(reader)
  }
  return root
}

/**
 * parseXml without yielding to the event loop, for documents feedloom wrote itself (an output
 * checked before it is published, an OPML list): small, and read where no await fits.
 * @throws XmlSyntaxError naming the problem and where it is
 */
export function parseXmlSync(text: string, start: number, options: ParseXmlOptions = {}): XmlElement {
  const reader = new XmlReader(text, start, options)
  const root = reader.readRoot()
  while (!reader.done()) readStep(reader)
  return root
}

/** Thrown by a lenient read where the document ends inside a tag, comment or CDATA section. */
class TruncatedDocument extends Error {}

function readStep(reader: XmlReader): void {
  try {
    reader.readNext()
  } catch (err) {
    if (!(err instanceof TruncatedDocument)) throw err
    reader.closeAtEnd()
  }
}

class XmlReader {
  at: number
  /** Open elements, innermost last. */
  private readonly open: XmlElement[] = []
  /** The next `<` and `&` at or after the last search: each is searched for once, not once per step. */
  private lessThanAt = -1
  private ampersandAt = -1
  private readonly lenient: boolean
  private readonly lines: boolean
  /** Lines are counted once, forward: elements are read in document order. */
  private line = 1
  private lineCountedTo = 0

  constructor(
    private readonly text: string,
    start: number,
    options: ParseXmlOptions,
  ) {
    this.at = start
    this.lenient = options.lenient === true
    this.lines = options.lines === true
  }

  done(): boolean {
    return this.open.length === 0
  }

  readRoot(): XmlElement {
    const nameAt = this.skipSpace(this.at + 1)
    if (this.text.charCodeAt(this.at) !== LT || this.nameAt(nameAt) === undefined) {
      this.fail(this.at, this.at >= this.text.length ? 'No root element' : 'Expected the root element')
    }
    return this.readStartTag(this.at, nameAt)
  }

  /** One step inside the document element: a run of text, a tag, a comment, a CDATA section or a processing instruction. */
  readNext(): void {
    const { text } = this
    const parent = this.open[this.open.length - 1] as XmlElement
    const lt = this.nextLessThan(this.at)
    if (lt === text.length && this.lenient) {
      if (lt > this.at) parent.children.push(this.decode(this.at, lt))
      this.closeAtEnd()
      return
    }
    if (lt === text.length) this.fail(lt, 'Unclosed root tag')
    if (lt > this.at) {
      const end = this.textEnd(lt)
      parent.children.push(this.decode(this.at, end))
      this.at = end
      if (end < lt) return
    }
    // Whitespace may follow `<` and `</` (`< item>`): some feeds write it, and readers accept it.
    const at = this.skipSpace(lt + 1)
    const next = text.charCodeAt(at)
    if (next === SLASH) this.readEndTag(lt, this.skipSpace(at + 1))
    else if (next === BANG) this.readMarkupDeclaration(lt, at, parent)
    else if (next === QUESTION) this.at = this.after('?>', at + 1, lt, 'Unclosed processing instruction')
    else if (this.lenient && this.nameAt(at) === undefined) {
      // `a < b` in text: the `<` is text.
      parent.children.push('<')
      this.at = lt + 1
    } else parent.children.push(this.readStartTag(lt, at))
  }

  /** Lenient: the document ended inside these elements. */
  closeAtEnd(): void {
    for (const element of this.open) element.unclosed = true
    this.open.length = 0
    this.at = this.text.length
  }

  private readStartTag(lt: number, nameAt: number): XmlElement {
    const { text } = this
    const name = this.nameAt(nameAt) ?? this.fail(lt, 'Unencoded <')
    let attributes = NO_ATTRIBUTES
    let at = nameAt + name.length
    for (;;) {
      const next = this.skipSpace(at)
      const char = text.charCodeAt(next)
      if (char === GT || char === SLASH) {
        if (char === SLASH && text.charCodeAt(next + 1) !== GT) this.fail(next, 'Forward-slash in opening tag not followed by >')
        this.at = char === GT ? next + 1 : next + 2
        const element: XmlElement = this.lines ? { name, attributes, children: [], line: this.lineAt(lt) } : { name, attributes, children: [] }
        if (char === GT) this.open.push(element)
        return element
      }
      if (Number.isNaN(char)) this.fail(text.length, 'Unclosed root tag')
      if (next === at) this.fail(at, 'Invalid character in tag')
      const attribute = this.nameAt(next) ?? this.fail(next, 'Invalid attribute name')
      const equals = this.skipSpace(next + attribute.length)
      if (text.charCodeAt(equals) !== EQUALS) this.fail(equals, 'Attribute without value')
      const open = this.skipSpace(equals + 1)
      const quote = text.charCodeAt(open)
      if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) this.fail(open, 'Unquoted attribute value')
      const close = text.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", open + 1)
      if (close === -1) this.fail(text.length, 'Unclosed root tag')
      if (close - lt > MAX_START_TAG_CHARS) this.fail(lt, `Start tag <${name}> longer than ${MAX_START_TAG_CHARS} characters`)
      if (attributes === NO_ATTRIBUTES) attributes = Object.create(null) as Record<string, string>
      if (!(attribute in attributes)) (attributes as Record<string, string>)[attribute] = this.decode(open + 1, close)
      at = close + 1
    }
  }

  private readEndTag(lt: number, nameAt: number): void {
    const name = this.nameAt(nameAt) ?? this.fail(lt, 'Invalid tagname in closing tag')
    const gt = this.skipSpace(nameAt + name.length)
    if (this.text.charCodeAt(gt) !== GT) this.fail(gt, 'Invalid characters in closing tag')
    const innermost = this.open[this.open.length - 1] as XmlElement
    if (innermost.name !== name) {
      if (!this.lenient) this.fail(lt, `Unexpected close tag </${name}>, expected </${innermost.name}>`)
      // A mismatched end tag closes the elements inside the one it names; a stray one is skipped.
      const matching = this.open.map((element) => element.name).lastIndexOf(name)
      if (matching !== -1) this.open.length = matching
      this.at = gt + 1
      return
    }
    this.open.pop()
    this.at = gt + 1
  }

  /** `<!--…-->`, `<![CDATA[…]]>`, or another `<!…>`, which is skipped (`<![if !vml]>` from pasted Word HTML). */
  private readMarkupDeclaration(lt: number, bang: number, parent: XmlElement): void {
    const { text } = this
    if (text.startsWith('!--', bang)) {
      const dashes = text.indexOf('--', bang + 3)
      if (dashes === -1) this.fail(lt, 'Unclosed comment')
      if (text.charCodeAt(dashes + 2) !== GT) this.fail(dashes, 'Malformed comment')
      this.at = dashes + 3
      return
    }
    CDATA_START.lastIndex = bang
    if (CDATA_START.test(text)) {
      const start = CDATA_START.lastIndex
      const end = this.after(']]>', start, lt, 'Unclosed CDATA section')
      if (end - 3 > start) parent.children.push(text.slice(start, end - 3))
      this.at = end
      return
    }
    DOCTYPE_START.lastIndex = bang
    if (DOCTYPE_START.test(text)) this.fail(lt, 'Inappropriately located doctype declaration')
    this.at = this.after('>', bang + 1, lt, 'Unclosed markup declaration')
  }

  /**
   * Where the step at `this.at` stops in a run of text ending at `lt`: a long run stops at its
   * first reference past PARSE_CHUNK_CHARS, so that decoding it is spread over turns of the loop.
   */
  private textEnd(lt: number): number {
    if (lt - this.at <= PARSE_CHUNK_CHARS) return lt
    const ampersand = this.text.indexOf('&', this.at + PARSE_CHUNK_CHARS)
    return ampersand === -1 || ampersand > lt ? lt : ampersand
  }

  /**
   * Text between `from` and `to` with every reference replaced by its character. Joined from parts
   * rather than concatenated: a string of a million concatenations takes long to flatten later.
   */
  private decode(from: number, to: number): string {
    let ampersand = this.nextAmpersand(from)
    if (ampersand >= to) return this.text.slice(from, to)
    const parts: string[] = []
    let copied = from
    do {
      REFERENCE.lastIndex = ampersand
      const match = REFERENCE.exec(this.text)
      if (match === null || match.index + match[0].length > to) {
        if (!this.lenient) this.fail(ampersand, 'Invalid character entity')
        // A bare `&` is text.
        parts.push(this.text.slice(copied, ampersand + 1))
        copied = ampersand + 1
      } else {
        parts.push(this.text.slice(copied, ampersand), this.expand(match, ampersand))
        copied = match.index + match[0].length
      }
      ampersand = this.nextAmpersand(copied)
    } while (ampersand < to)
    parts.push(this.text.slice(copied, to))
    return parts.join('')
  }

  /** A name HTML knows, else the same name in lower case (`&NBSP;`); a reference to an XML Char. */
  private expand([, hex, decimal, name]: RegExpExecArray, at: number): string {
    if (name !== undefined) {
      const expanded = expandEntityName(name) ?? expandEntityName(name.toLowerCase())
      if (expanded !== undefined) return expanded
      // Lenient: an entity no DTD will ever define stays as written.
      return this.lenient ? `&${name};` : this.fail(at, `Undefined entity &${name};`)
    }
    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal as string, 10)
    if (!isXmlChar(codePoint)) return this.lenient ? '' : this.fail(at, 'Invalid character entity')
    return String.fromCodePoint(codePoint)
  }

  private nextLessThan(from: number): number {
    if (this.lessThanAt < from) this.lessThanAt = this.indexOrEnd('<', from)
    return this.lessThanAt
  }

  private nextAmpersand(from: number): number {
    if (this.ampersandAt < from) this.ampersandAt = this.indexOrEnd('&', from)
    return this.ampersandAt
  }

  private indexOrEnd(char: string, from: number): number {
    const found = this.text.indexOf(char, from)
    return found === -1 ? this.text.length : found
  }

  private lineAt(offset: number): number {
    for (; this.lineCountedTo < offset; this.lineCountedTo += 1) if (this.text.charCodeAt(this.lineCountedTo) === 0x0a) this.line += 1
    return this.line
  }

  private nameAt(at: number): string | undefined {
    NAME.lastIndex = at
    return NAME.exec(this.text)?.[0]
  }

  private skipSpace(at: number): number {
    let next = at
    for (;;) {
      const char = this.text.charCodeAt(next)
      if (char !== 0x20 && char !== 0x0a && char !== 0x09 && char !== 0x0d) return next
      next += 1
    }
  }

  /** Index just past `terminator`, searched from `from`; fails at `start` when it never comes. */
  private after(terminator: string, from: number, start: number, reason: string): number {
    const found = this.text.indexOf(terminator, from)
    if (found === -1 && this.lenient) throw new TruncatedDocument()
    if (found === -1) this.fail(start, reason)
    return found + terminator.length
  }

  private fail(at: number, reason: string): never {
    if (this.lenient && at >= this.text.length) throw new TruncatedDocument()
    const before = this.text.slice(0, at)
    const line = before.split('\n').length
    const column = at - before.lastIndexOf('\n')
    throw new XmlSyntaxError(`${reason} at line ${line}, column ${column}`)
  }
}
