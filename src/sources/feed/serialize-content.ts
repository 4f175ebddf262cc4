import { escapeHtml } from '../../text/escape-html.js'
import type { XmlElement } from '../../xml/parse-xml.js'

/** HTML elements without an end tag: `<br></br>` would read as two line breaks. */
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr'])

/**
 * The content of `element` written back as markup, in document order: inline XHTML (Atom
 * type="xhtml") or HTML a feed left unescaped. Stops once longer than `maxChars`, where it is cut
 * anyway (CAPS). Walked with a stack, not recursion: a hostile feed can nest elements deeper
 * than the call stack goes.
 */
export function serializeContent(element: XmlElement, maxChars: number): string {
  const open = [{ element, next: 0 }]
  let markup = ''
  for (let frame = open[0]; frame !== undefined && markup.length <= maxChars; frame = open[open.length - 1]) {
    const child = frame.element.children[frame.next]
    frame.next += 1
    if (child === undefined) {
      open.pop()
      if (open.length > 0) markup += `</${frame.element.name}>`
    } else if (typeof child === 'string') {
      markup += escapeHtml(child)
    } else {
      markup += `<${child.name}${Object.entries(child.attributes)
        .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
        .join('')}`
      if (child.children.length === 0 && VOID_ELEMENTS.has(child.name)) {
        markup += '/>'
      } else {
        markup += '>'
        open.push({ element: child, next: 0 })
      }
    }
  }
  return markup
}
