/**
 * Characters XML 1.0 §2.2 does not allow (C0 controls but tab, LF and CR; U+FFFE/U+FFFF) and
 * unpaired surrogates, which a JavaScript string can hold but no encoder can write. A surrogate
 * pair matches too and is put back: without lookarounds the scan takes half the CPU.
 */
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]?|[\uDC00-\uDFFF]/g

/** One numeric character reference, optionally followed by a second (a surrogate pair written as two). */
const CHAR_REFS = /&#(x[0-9a-f]+|[0-9]+);(?:&#(x[0-9a-f]+|[0-9]+);)?/gi

/** Text with the characters XML 1.0 does not allow removed: one of them makes a whole document unreadable. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_CHARS, keepSurrogatePair)
}

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

function keepSurrogatePair(match: string): string {
  return match.length === 2 ? match : ''
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

/** XML 1.0 §2.2 Char. */
export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  )
}
