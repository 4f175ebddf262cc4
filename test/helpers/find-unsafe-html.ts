/** Elements the sanitizer never lets through: each runs script, loads a document or styles the page. */
const ACTIVE_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math',
  'form', 'input', 'button', 'textarea', 'meta', 'base', 'link', 'template', 'noscript',
])

/** Attributes that make the browser fetch or navigate. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'poster', 'background', 'xlink:href', 'cite'])

const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?)*)\s*\/?>/g
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+)))?/g

/**
 * What in an HTML document breaks the rules the feeds' content keeps: no active element, no event
 * handler, no `javascript:`, `vbscript:` or `data:` URL, and, when `allowedUrls` is given (the
 * links and images of the sanitized HTML it was made from), no link or image to any other URL.
 * Reads every tag, so text that merely mentions `javascript:` is fine. Empty when the document is safe.
 */
export function findUnsafeHtml(html: string, allowedUrls?: ReadonlySet<string>): string[] {
  const problems: string[] = []
  for (const [tag, rawName = '', attributes = ''] of html.matchAll(TAG)) {
    const name = rawName.toLowerCase()
    if (ACTIVE_ELEMENTS.has(name)) problems.push(`element <${name}>: ${tag}`)
    for (const [, rawAttribute = '', double, single, bare] of attributes.matchAll(ATTRIBUTE)) {
      const attribute = rawAttribute.toLowerCase()
      const value = decodeHtml(double ?? single ?? bare ?? '')
      if (attribute.startsWith('on')) problems.push(`event handler ${attribute}: ${tag}`)
      if (attribute === 'style') problems.push(`style attribute: ${tag}`)
      if (/^(?:javascript|vbscript|data):/i.test(value.replace(/[\u0000-\u0020]/g, ''))) problems.push(`${attribute} runs or embeds: ${tag}`)
      else if (allowedUrls !== undefined && URL_ATTRIBUTES.has(attribute) && !allowedUrls.has(value)) problems.push(`${attribute} not in the sanitized HTML: ${tag}`)
    }
  }
  return problems
}

/** Every href and src of a sanitized HTML fragment, decoded. */
export function listHtmlUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map(([, value = '']) => decodeHtml(value))
}

export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, name: string) => {
    const lower = name.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10))
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ?? ''
  })
}
