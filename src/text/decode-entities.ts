import { decodeHTML, decodeHTMLStrict } from 'entities'

/** HTML text or an attribute value with every named and numeric reference decoded, as a browser reads it. */
export function decodeHtmlEntities(text: string): string {
  return decodeHTML(text)
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
