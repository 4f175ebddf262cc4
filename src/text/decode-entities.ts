import { decodeHTML, decodeHTMLAttribute, decodeHTMLStrict } from 'entities'

/** HTML text with every named and numeric reference decoded, as a browser reads it. */
export function decodeHtmlEntities(text: string): string {
  return decodeHTML(text)
}

/**
 * An HTML attribute value decoded as a browser reads it: `&copy=2` in a URL's query stays as
 * written, where in text it would read as `©=2`.
 */
export function decodeHtmlAttribute(value: string): string {
  return decodeHTMLAttribute(value)
}

/**
 * What `&name;` stands for in HTML, or undefined when HTML names no such entity. Feeds use HTML's
 * names (`&nbsp;`, `&hellip;`) without declaring them, so the XML reader takes them too.
 */
export function expandEntityName(name: string): string | undefined {
  const reference = `&${name};`
  const expanded = decodeHTMLStrict(reference)
  return expanded === reference ? undefined : expanded
}
