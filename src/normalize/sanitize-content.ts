import { cleanText } from '../text/clean-text.js'
import { DROPPED_WITH_TEXT, isPlainText } from '../text/html-to-text.js'
import { sanitizeHtml, type SanitizeHtmlOptions, type SanitizeHtmlTransformer } from '../text/sanitize-html.js'

const ARTICLE_TAGS = [
  'p', 'br', 'hr', 'a', 'img', 'figure', 'figcaption', 'span', 'div',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'q', 'cite', 'pre', 'code',
  'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'abbr',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
]

const ARTICLE_OPTIONS: SanitizeHtmlOptions = {
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

function absolutizeAttribute(name: string, baseUrl: string): SanitizeHtmlTransformer {
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
