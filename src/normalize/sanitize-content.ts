import { createRequire } from 'node:module'
import type SanitizeHtml from 'sanitize-html'
import { stripInvalidXmlChars } from '../xml/strip-invalid-xml.js'

/**
 * sanitize-html costs ~150 ms of CPU to load and only markup needs it, so it is required on first
 * use: a run whose feeds all answer 304 never loads it.
 */
const requireCjs = createRequire(import.meta.url)
let sanitizeHtmlModule: typeof SanitizeHtml | undefined

function sanitizeHtml(html: string, options: SanitizeHtml.IOptions): string {
  sanitizeHtmlModule ??= requireCjs('sanitize-html') as typeof SanitizeHtml
  return sanitizeHtmlModule(html, options)
}

const ARTICLE_TAGS = [
  'p', 'br', 'hr', 'a', 'img', 'figure', 'figcaption', 'span', 'div',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'q', 'cite', 'pre', 'code',
  'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'abbr',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
]

/** Elements dropped together with their text: code, fallback content and form controls. */
const DROPPED_WITH_TEXT = [
  'script', 'style', 'noscript', 'template', 'title',
  'iframe', 'object', 'textarea', 'select', 'option', 'button',
]

const ARTICLE_OPTIONS: SanitizeHtml.IOptions = {
  allowedTags: ARTICLE_TAGS,
  allowedAttributes: {
    // News APIs mark paragraphs such as the source line (`<p class="em_media">`); the seed's posts
    // keep that markup byte for byte. A class name cannot run script or load anything.
    p: ['class'],
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    abbr: ['title'],
    ol: ['start'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  // Relative URLs were made absolute in transformTags, so anything left scheme-less is refused.
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_TEXT,
  // An image whose src was refused (data:, javascript:) would be an empty box.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
}

/**
 * Article HTML safe to embed in any reader: known markup only, no scripts, styles, event
 * handlers or non-http(s) URLs; relative href/src made absolute against `baseUrl`.
 * Undefined when nothing but whitespace is left.
 */
export function sanitizeContent(html: string, baseUrl: string): string | undefined {
  if (isPlainText(html)) {
    // What sanitize-html makes of text without markup or entities: the text with `>` escaped.
    const text = cleanText(html).replace(/>/g, '&gt;').trim()
    return text === '' ? undefined : text
  }
  const sanitized = sanitizeHtml(cleanText(html), {
    ...ARTICLE_OPTIONS,
    transformTags: {
      a: absolutizeAttribute('href', baseUrl),
      img: absolutizeAttribute('src', baseUrl),
    },
  }).trim()
  return sanitized === '' ? undefined : sanitized
}

function absolutizeAttribute(name: string, baseUrl: string): SanitizeHtml.Transformer {
  return (tagName, attribs) => {
    const rewritten = Object.entries(attribs).flatMap(([key, value]): [string, string][] => {
      if (key !== name) return [[key, value]]
      const absolute = absolutize(value, baseUrl)
      return absolute === undefined ? [] : [[key, absolute]]
    })
    return { tagName, attribs: Object.fromEntries(rewritten) }
  }
}

function absolutize(ref: string, baseUrl: string): string | undefined {
  try {
    return new URL(ref.trim(), baseUrl).href
  } catch {
    return undefined
  }
}

/** HTML (or text with entities) → one line of plain text: tags stripped, entities decoded. */
export function toPlainText(html: string): string {
  // Without `<` or `&` there is no tag or entity to remove or decode: the sanitizer would give the text back.
  if (isPlainText(html)) return collapseWhitespace(cleanText(html))
  const escaped = sanitizeHtml(separateBlocks(cleanText(html)), {
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
function isPlainText(text: string): boolean {
  return !/[<&]/.test(text)
}

/** Keeps words of adjacent blocks apart once the tags are gone (`<p>a</p><p>b</p>` → `a b`). */
function separateBlocks(html: string): string {
  return html.replace(/<(?:br|\/p|\/div|\/li|\/h[1-6]|\/td|\/th|\/tr|\/blockquote)\b/gi, ' $&')
}

/** sanitize-html decodes every entity, then re-escapes exactly these three in text. */
function unescapeSanitizerOutput(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * Removes what no feed may carry: the characters XML does not allow (JSON encoders reject lone
 * surrogates too) and C1 control characters, which no reader shows.
 */
export function cleanText(text: string): string {
  return stripInvalidXmlChars(text.replace(/[\u007F-\u009F]/g, ''))
}
