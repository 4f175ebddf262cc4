import type { CharsetChoice } from '../types.js'

export interface DecodeCharsetOptions {
  /** The response's Content-Type header, whose `charset` parameter is one of the clues. */
  contentType?: string
  /** Per-source encoding label; wins over every clue in the response. */
  override?: string
}

export interface DecodeCharsetResult {
  text: string
  charset: CharsetChoice
}

/** Only the start of a document is searched for an in-document declaration (HTML §13.2.3.2). */
const SNIFF_BYTES = 1024

/** Windows code page names that WHATWG does not list but servers still send. */
const EXTRA_LABELS: Record<string, string> = { cp936: 'gb18030', 'windows-936': 'gb18030', ms936: 'gb18030' }

/**
 * Decodes a body, recording which encoding was used and why. Order: override, BOM,
 * Content-Type charset, XML prolog, HTML meta, then UTF-8. A label TextDecoder does not
 * know falls through to the next clue, and so does a declared encoding the bytes are not
 * valid in (a GBK file served as `charset=utf-8` is common): the first clue that decodes
 * the bytes without an error wins. When none does, the first clue decodes them with
 * U+FFFD for what it cannot read. An override or a BOM is always obeyed.
 */
export function decodeCharset(bytes: Uint8Array, options: DecodeCharsetOptions = {}): DecodeCharsetResult {
  const certain = choose(resolveEncoding(options.override), 'override') ?? sniffBom(bytes)
  // TextDecoder strips a BOM that matches its encoding, so the BOM never reaches the text.
  if (certain !== undefined) return { text: new TextDecoder(certain.encoding).decode(bytes), charset: certain }
  const clues = findClues(bytes, options.contentType)
  for (const charset of clues) {
    const text = decodeStrictly(bytes, charset.encoding)
    if (text !== undefined) return { text, charset }
  }
  if (clues.every((clue) => clue.reason === 'default')) return decodeUndeclared(bytes)
  const [charset = DEFAULT_CHOICE] = clues
  return { text: new TextDecoder(charset.encoding).decode(bytes), charset }
}

/**
 * Bytes that are not UTF-8 and whose encoding nothing declared: windows-1252, as WHATWG decodes
 * an undeclared legacy document, unless the document says it is Chinese and decodes as GB18030.
 */
function decodeUndeclared(bytes: Uint8Array): DecodeCharsetResult {
  const head = Buffer.from(bytes.subarray(0, SNIFF_BYTES)).toString('latin1')
  if (CHINESE_HINT.test(head)) {
    const text = decodeStrictly(bytes, 'gb18030')
    if (text !== undefined) return { text, charset: { encoding: 'gb18030', reason: 'fallback' } }
  }
  return { text: decodeWindows1252(bytes), charset: { encoding: 'windows-1252', reason: 'fallback' } }
}

/**
 * WHATWG windows-1252 bytes 0x80–0x9F (`“`, `”`, `€`…): Node 20's TextDecoder decodes the label
 * as ISO-8859-1 and gives C1 controls for them. The five bytes the code page leaves undefined
 * stay the controls WHATWG maps them to.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ'

function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009F]/g, (char) => WINDOWS_1252_HIGH.charAt(char.charCodeAt(0) - 0x80))
}

/** `<language>zh-cn</language>`, `xml:lang="zh"`, `lang="zh-CN"`: the document says it is Chinese. */
const CHINESE_HINT = /<(?:\w+:)?language>\s*zh\b|\blang\s*=\s*["']zh\b/i

const DEFAULT_CHOICE: CharsetChoice = { encoding: 'utf-8', reason: 'default' }

/** Every declared encoding, most authoritative first, each once, ending with the UTF-8 default. */
function findClues(bytes: Uint8Array, contentType: string | undefined): CharsetChoice[] {
  const head = Buffer.from(bytes.subarray(0, SNIFF_BYTES)).toString('latin1')
  const clues = [
    choose(resolveEncoding(findHeaderCharset(contentType)), 'header'),
    choose(resolveDeclaredEncoding(findPrologEncoding(head)), 'prolog'),
    choose(resolveDeclaredEncoding(findMetaCharset(head)), 'meta'),
    DEFAULT_CHOICE,
  ].filter((clue) => clue !== undefined)
  return clues.filter((clue, index) => clues.findIndex((other) => other.encoding === clue.encoding) === index)
}

function decodeStrictly(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function choose(encoding: string | undefined, reason: CharsetChoice['reason']): CharsetChoice | undefined {
  return encoding === undefined ? undefined : { encoding, reason }
}

function sniffBom(bytes: Uint8Array): CharsetChoice | undefined {
  const [b0, b1, b2] = bytes
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', reason: 'bom' }
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', reason: 'bom' }
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', reason: 'bom' }
  return undefined
}

/** The encoding name TextDecoder uses for a label, or undefined when it has none. */
function resolveEncoding(label: string | undefined): string | undefined {
  if (label === undefined) return undefined
  const normalized = label.trim().toLowerCase()
  const known = EXTRA_LABELS[normalized]
  if (known !== undefined) return known
  try {
    const { encoding } = new TextDecoder(normalized)
    // GBK is a subset of GB18030, and servers labelled GBK/GB2312 routinely send GB18030-only characters.
    return encoding === 'gbk' ? 'gb18030' : encoding
  } catch {
    return undefined
  }
}

/**
 * A document whose declaration could be read as ASCII cannot be UTF-16, so such a
 * declaration means UTF-8 (HTML §13.2.3.2 "prescan", step for `charset`).
 */
function resolveDeclaredEncoding(label: string | undefined): string | undefined {
  const encoding = resolveEncoding(label)
  return encoding === 'utf-16le' || encoding === 'utf-16be' ? 'utf-8' : encoding
}

function findHeaderCharset(contentType: string | undefined): string | undefined {
  return contentType?.match(/;\s*charset\s*=\s*"?([^";\s]+)/i)?.[1]
}

function findPrologEncoding(head: string): string | undefined {
  return head.match(/^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/)?.[1]
}

/** Matches both `<meta charset="…">` and `<meta http-equiv … content="…; charset=…">`. */
function findMetaCharset(head: string): string | undefined {
  return head.match(/<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([^\s"'/>;]+)/i)?.[1]
}
