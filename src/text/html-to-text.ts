import { cleanText, collapseWhitespace } from './clean-text.js'
import { sanitizeHtml } from './sanitize-html.js'

/** Elements dropped together with their text: code, fallback content and form controls. */
export const DROPPED_WITH_TEXT = [
  'script', 'style', 'noscript', 'template', 'title',
  'iframe', 'object', 'textarea', 'select', 'option', 'button',
]

/** Tags that end a line or a block: their words must not run into the next ones once the tags are gone. */
const BLOCK_TAG = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|caption|blockquote|pre|section|article|header|footer|figure|figcaption)\b/gi

/**
 * HTML (or text with entities) → one line of plain text: tags stripped by an HTML parser, entities
 * decoded, blocks kept apart by a space, inline tags gone without one (Chinese text has no spaces
 * between words), control characters removed, whitespace collapsed.
 */
export function htmlToText(html: string): string {
  // Without `<` or `&` there is no tag or entity to remove or decode: the parser would give the text back.
  if (isPlainText(html)) return collapseWhitespace(cleanText(html))
  const escaped = sanitizeHtml(cleanText(html).replace(BLOCK_TAG, ' $&'), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: DROPPED_WITH_TEXT,
  })
  return collapseWhitespace(unescapeSanitizerOutput(escaped))
}

/**
 * Text in which an HTML parser finds neither a tag, a comment nor an entity: in HTML's data state
 * only `<` and `&` start anything (NUL is removed by cleanText first).
 */
export function isPlainText(text: string): boolean {
  return !/[<&]/.test(text)
}

/** sanitize-html decodes every entity, then re-escapes exactly these three in text. */
function unescapeSanitizerOutput(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/** Cuts to at most `maxChars` code points (never inside a surrogate pair), marking the cut with an ellipsis. */
export function truncateText(text: string, maxChars: number): string {
  const chars = Array.from(text)
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars).join('').trimEnd()}…`
}
