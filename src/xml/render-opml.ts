import { stripInvalidXmlChars } from '../text/strip-invalid-xml-chars.js'
import { escapeXmlAttribute } from './escape-xml.js'

/** One `<outline>`: its attributes in the order written, and the outlines inside it (a folder). */
export interface OpmlOutlineSpec {
  attributes: readonly (readonly [name: string, value: string])[]
  children?: readonly OpmlOutlineSpec[]
}

export interface OpmlDocumentSpec {
  title: string
  /** RFC 822 date, from the data and never the clock, so the same data gives the same bytes. */
  dateModified?: string
  /** Prefix → namespace URI, declared on `<opml>` for attributes of our own. */
  namespaces?: Readonly<Record<string, string>>
  outlines: readonly OpmlOutlineSpec[]
}

/** An OPML 2.0 document (http://opml.org/spec2.opml), two spaces a level, one outline a line. */
export function renderOpml(spec: OpmlDocumentSpec): string {
  const namespaces = Object.entries(spec.namespaces ?? {}).map(([prefix, uri]) => ` xmlns:${prefix}="${escape(uri)}"`)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<opml version="2.0"${namespaces.join('')}>`,
    '  <head>',
    `    <title>${escape(spec.title)}</title>`,
    ...(spec.dateModified === undefined ? [] : [`    <dateModified>${escape(spec.dateModified)}</dateModified>`]),
    '  </head>',
    '  <body>',
    ...spec.outlines.flatMap((outline) => renderOutline(outline, '    ')),
    '  </body>',
    '</opml>',
    '',
  ].join('\n')
}

function renderOutline({ attributes, children = [] }: OpmlOutlineSpec, indent: string): string[] {
  const tag = `${indent}<outline${attributes.map(([name, value]) => ` ${name}="${escape(value)}"`).join('')}`
  if (children.length === 0) return [`${tag}/>`]
  return [`${tag}>`, ...children.flatMap((child) => renderOutline(child, `${indent}  `)), `${indent}</outline>`]
}

function escape(text: string): string {
  return escapeXmlAttribute(stripInvalidXmlChars(text))
}
