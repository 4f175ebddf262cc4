/**
 * Characters XML 1.0 §2.2 does not allow (C0 controls but tab, LF and CR; U+FFFE/U+FFFF) and
 * unpaired surrogates, which a JavaScript string can hold but no encoder can write. A surrogate
 * pair matches too and is put back: without lookarounds the scan takes half the CPU.
 */
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]?|[\uDC00-\uDFFF]/g

/** Text with the characters XML 1.0 does not allow removed: one of them makes a whole document unreadable. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_CHARS, keepSurrogatePair)
}

function keepSurrogatePair(match: string): string {
  return match.length === 2 ? match : ''
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
