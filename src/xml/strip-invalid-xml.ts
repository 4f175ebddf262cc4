import { isXmlChar, stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'

/** One numeric character reference, optionally followed by a second (a surrogate pair written as two). */
const CHAR_REFS = /&#(x[0-9a-f]+|[0-9]+);(?:&#(x[0-9a-f]+|[0-9]+);)?/gi

/**
 * Removes what makes a feed not well-formed only because of a stray character: raw invalid
 * characters and numeric references to them (`&#1;`, `&#xD800;`, `&#xFFFF;`). Real feeds carry
 * these from copy-pasted text, and one of them must not cost the whole feed (parseXml refuses
 * the document). A surrogate pair written as two references (`&#xD83D;&#xDE00;`) becomes the one
 * character it encodes.
 */
export function stripInvalidXml(text: string): string {
  return stripInvalidXmlChars(text).replace(CHAR_REFS, (_match: string, first: string, second: string | undefined) => {
    const high = codePointOf(first)
    const low = second === undefined ? undefined : codePointOf(second)
    if (low !== undefined && isHighSurrogate(high) && isLowSurrogate(low)) {
      return `&#x${(0x10000 + (high - 0xd800) * 0x400 + (low - 0xdc00)).toString(16)};`
    }
    const keepFirst = isXmlChar(high) ? `&#${first};` : ''
    const keepSecond = second === undefined || low === undefined || !isXmlChar(low) ? '' : `&#${second};`
    return keepFirst + keepSecond
  })
}

function codePointOf(reference: string): number {
  const value = reference[0] === 'x' || reference[0] === 'X' ? Number.parseInt(reference.slice(1), 16) : Number(reference)
  return Number.isSafeInteger(value) ? value : -1
}

function isHighSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdbff
}

function isLowSurrogate(codePoint: number): boolean {
  return codePoint >= 0xdc00 && codePoint <= 0xdfff
}
