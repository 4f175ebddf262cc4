// XML 1.0 §2.2 Char: no C0 controls except tab, LF, CR; no surrogates (with the `u` flag only
// lone ones match); no U+FFFE/U+FFFF. One such character makes the whole document unreadable.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu

export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '')
}
