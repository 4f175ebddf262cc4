import type { XmlElement } from '../../xml/parse-xml.js'

/** The namespace URIs feeds put their elements in. */
export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  media: 'http://search.yahoo.com/mrss/',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const

/** Namespace URIs written another way by feeds in the wild, mapped to the one above. */
const URI_ALIASES: Readonly<Record<string, string>> = {
  'http://search.yahoo.com/mrss': NS.media,
  'http://www.itunes.com/DTDs/Podcast-1.0.dtd': NS.itunes,
  'http://purl.org/dc/elements/1.0/': NS.dc,
}

/**
 * Prefixes feeds use without declaring them (`<dc:date>` in an `<rss>` with no xmlns:dc): read as
 * the namespace the prefix conventionally names, as they were read before namespaces were.
 */
const CONVENTIONAL_PREFIXES: Readonly<Record<string, string>> = {
  xml: NS.xml,
  atom: NS.atom,
  rdf: NS.rdf,
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  media: NS.media,
  itunes: NS.itunes,
}

/** An element's or attribute's expanded name (Namespaces in XML 1.0 §3): '' is no namespace. */
export interface ExpandedName {
  uri: string
  local: string
}

export interface NamespaceScope {
  /** The expanded name of the document element, or of an element `childElementsOf` returned. */
  nameOf(element: XmlElement): ExpandedName
  /** The child elements of the document element, or of an element this returned, with their expanded names. */
  childElementsOf(parent: XmlElement): readonly XmlElement[]
  /** The value of the attribute with this expanded name (unprefixed attributes are in no namespace). */
  attributeOf(element: XmlElement, uri: string, local: string): string | undefined
}

/**
 * Resolves prefixes against the `xmlns` declarations in scope, default-namespace redeclarations
 * included, one level at a time as the reader descends: content markup the reader never names
 * (a big XHTML body) costs nothing.
 */
export function resolveNamespaces(root: XmlElement): NamespaceScope {
  const names = new WeakMap<XmlElement, ExpandedName>()
  const scopes = new WeakMap<XmlElement, Readonly<Record<string, string>>>()
  const childLists = new WeakMap<XmlElement, readonly XmlElement[]>()
  const enter = (element: XmlElement, inherited: Readonly<Record<string, string>>): void => {
    const bindings = bindingsOf(element, inherited)
    scopes.set(element, bindings)
    names.set(element, expand(element.name, bindings, true))
  }
  enter(root, CONVENTIONAL_PREFIXES)
  return {
    nameOf: (element) => names.get(element) ?? expand(element.name, CONVENTIONAL_PREFIXES, true),
    childElementsOf: (parent) => {
      const known = childLists.get(parent)
      if (known !== undefined) return known
      const bindings = scopes.get(parent) ?? CONVENTIONAL_PREFIXES
      const children = parent.children.filter((child): child is XmlElement => typeof child !== 'string')
      for (const child of children) enter(child, bindings)
      childLists.set(parent, children)
      return children
    },
    attributeOf: (element, uri, local) => {
      const bindings = scopes.get(element) ?? CONVENTIONAL_PREFIXES
      for (const [name, value] of Object.entries(element.attributes)) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue
        const expanded = expand(name, bindings, false)
        if (expanded.uri === uri && expanded.local === local) return value
      }
      return undefined
    },
  }
}

/** The bindings in scope inside `element`: its parent's, plus its own declarations. Copied only when it declares any. */
function bindingsOf(element: XmlElement, inherited: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let bindings = inherited
  for (const [name, value] of Object.entries(element.attributes)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue
    if (bindings === inherited) bindings = { ...inherited }
    const uri = value.trim()
    ;(bindings as Record<string, string>)[name === 'xmlns' ? '' : name.slice(6)] = URI_ALIASES[uri] ?? uri
  }
  return bindings
}

/** Unprefixed elements take the default namespace, unprefixed attributes none; an unknown prefix keeps the name as written. */
function expand(name: string, bindings: Readonly<Record<string, string>>, isElement: boolean): ExpandedName {
  const colon = name.indexOf(':')
  if (colon === -1) return { uri: isElement ? (bindings[''] ?? '') : '', local: name }
  const uri = bindings[name.slice(0, colon)]
  return uri === undefined ? { uri: '', local: name } : { uri, local: name.slice(colon + 1) }
}
