import { stripInvalidXmlChars } from './strip-invalid-xml-chars.js'

/**
 * Removes what no feed may carry: the characters XML does not allow (JSON encoders reject lone
 * surrogates too) and C1 control characters, which no reader shows.
 */
export function cleanText(text: string): string {
  return stripInvalidXmlChars(text.replace(/[\u007F-\u009F]/g, ''))
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
