import { CAPS } from '../../caps.js'
import { ParseError } from '../../errors.js'
import { dropUndefined } from '../../object/drop-undefined.js'
import type { ParsedFeed, RawEnclosure, RawEntry } from '../../types.js'
import type { XmlElement } from '../../xml/parse-xml.js'
import { NS, type NamespaceScope, resolveNamespaces } from './resolve-namespaces.js'
import { serializeContent } from './serialize-content.js'

export type FeedFormat = 'rss' | 'rdf' | 'atom'

/** RSS 0.9x/2.0 elements are in no namespace; RSS 0.90 and 1.0 have their own, and some 2.0 feeds Userland's. */
const RSS_URIS: ReadonlySet<string> = new Set(['', NS.rss10, NS.rss090, 'http://backend.userland.com/rss2', 'http://backend.userland.com/rss'])

/** Atom 1.0, Atom 0.3, and an Atom document that forgot its namespace. */
const ATOM_URIS: ReadonlySet<string> = new Set([NS.atom, NS.atom03, ''])

/** The format a document element is the root of, by its namespace and local name; undefined for any other. */
export function feedFormatOf(root: XmlElement): { format: FeedFormat; scope: NamespaceScope } | undefined {
  const scope = resolveNamespaces(root)
  const { uri, local } = scope.nameOf(root)
  if (local === 'rss' && RSS_URIS.has(uri)) return { format: 'rss', scope }
  if (local === 'RDF' && uri === NS.rdf) return { format: 'rdf', scope }
  if (local === 'feed' && ATOM_URIS.has(uri)) return { format: 'atom', scope }
  return undefined
}

/**
 * The document element of a feed → its raw entries. Elements are matched by namespace URI and
 * local name, whatever the prefix; the first of each kind counts, and text is the element's own
 * text. Fields left undefined are dropped by capFeed, in one pass, which also caps the entries.
 */
export function toParsedFeed(root: XmlElement, format: FeedFormat, scope: NamespaceScope, url: string): ParsedFeed {
  const reader = new FeedReader(scope, format === 'atom' ? ATOM_URIS : RSS_URIS)
  // RSS 1.0 keeps its items beside the channel, RSS 0.9x/2.0 inside it; Atom has no channel.
  const channel = format === 'atom' ? root : reader.child(root, 'channel')
  if (channel === undefined) throw new ParseError('E_PARSE_FORMAT', `not a feed: <${root.name}> without a <channel> in ${url}`)
  const rootBase = reader.baseOf(root, url)
  const channelBase = channel === root ? rootBase : (reader.baseOf(channel, rootBase ?? url) ?? rootBase)
  const items = reader.children(format === 'rss' ? channel : root, format === 'atom' ? 'entry' : 'item')
  const link = reader.alternateLinkOf(channel, channelBase ?? url)
  return {
    title: reader.text(format === 'atom' ? reader.child(channel, 'title') : reader.titleElementOf(channel)),
    // Only here is the feed's xml:base known to be in scope for its own link.
    link: link === undefined ? undefined : (resolveXmlBase(link, channelBase ?? url) ?? link),
    baseUrl: channelBase,
    entries: items
      // A lenient read of a truncated document keeps only the entries that closed.
      .filter((item) => item.unclosed !== true)
      .map((item) => reader.toRawEntry(item, format === 'atom', channelBase ?? url, channelBase !== undefined)),
  }
}

class FeedReader {
  constructor(
    private readonly scope: NamespaceScope,
    /** Where the format's own elements are: RSS's or Atom's namespaces. */
    private readonly own: ReadonlySet<string>,
  ) {}

  /** Each field as RSS 0.9x/1.0/2.0 or Atom 1.0/0.3 names it, with Dublin Core, content, Media RSS and iTunes beside them. */
  toRawEntry(item: XmlElement, atom: boolean, feedBase: string, feedHasBase: boolean): RawEntry {
    const itemBase = this.baseOf(item, feedBase)
    const base = itemBase ?? (feedHasBase ? feedBase : undefined)
    const updated = this.text(this.child(item, 'updated')) ?? (atom ? this.text(this.child(item, 'modified')) : undefined)
    const categories = this.categoriesOf([...this.children(item, 'category'), ...this.childrenIn(item, NS.dc, 'subject')])
    const enclosures = this.enclosuresOf(item, atom, base ?? feedBase)
    return {
      guid: atom ? this.text(this.child(item, 'id')) : (this.text(this.child(item, 'guid')) ?? this.scope.attributeOf(item, NS.rdf, 'about')),
      link: this.alternateLinkOf(item, base ?? feedBase),
      title: this.text(atom ? this.child(item, 'title') : this.titleElementOf(item)),
      content: this.contentOf(atom ? this.child(item, 'content') : this.childIn(item, NS.content, 'encoded')),
      summary: this.contentOf(
        (atom ? this.child(item, 'summary') : this.child(item, 'description')) ??
          this.childIn(item, NS.dc, 'description') ??
          this.childIn(item, NS.media, 'description') ??
          this.childIn(this.childIn(item, NS.media, 'group'), NS.media, 'description') ??
          this.childIn(item, NS.itunes, 'summary'),
      ),
      // Atom: only the first author counts, and only by its <name>.
      author: atom
        ? this.text(this.child(this.child(item, 'author'), 'name'))
        : (this.text(this.childIn(item, NS.dc, 'creator')) ?? this.text(this.child(item, 'author')) ?? this.text(this.childIn(item, NS.itunes, 'author'))),
      // Dates are kept as written: one bad date must not cost the feed. Atom 0.3 says issued, created and modified.
      published: atom
        ? (this.text(this.child(item, 'published')) ?? this.text(this.child(item, 'issued')) ?? this.text(this.child(item, 'created')) ?? updated)
        : (this.text(this.child(item, 'pubDate')) ?? this.text(this.childIn(item, NS.dc, 'date'))),
      updated,
      categories: categories.length > 0 ? categories : undefined,
      media: this.mediaOf(this.child(item, 'source')),
      enclosures: enclosures.length > 0 ? enclosures : undefined,
      baseUrl: base,
    }
  }

  /** An RSS `<title>`, even an empty one, else Dublin Core's. */
  titleElementOf(element: XmlElement): XmlElement | undefined {
    return this.child(element, 'title') ?? this.childIn(element, NS.dc, 'title')
  }

  /**
   * The first `<link>` with text (RSS), else RFC 4287 §4.2.7.2: rel="alternate", which is also what
   * a missing rel means. In RSS an `<atom:link>` comes after RSS's own; a link's own xml:base applies to it.
   */
  alternateLinkOf(element: XmlElement, base: string): string | undefined {
    const links = this.own.has(NS.atom) ? this.children(element, 'link') : [...this.children(element, 'link'), ...this.childrenIn(element, NS.atom, 'link')]
    for (const link of links) {
      const text = this.text(link)
      if (text !== undefined) return text
      const rel = this.attribute(link, 'rel')
      const href = this.attribute(link, 'href')
      if (href !== undefined && (rel === undefined || rel === 'alternate')) {
        const linkBase = this.baseOf(link, base)
        return linkBase === undefined ? href : (resolveXmlBase(href, linkBase) ?? href)
      }
    }
    return undefined
  }

  /**
   * RSS `<enclosure>`, Atom `<link rel="enclosure">`, `media:content` and `media:thumbnail` (also
   * inside `media:group`), in that order, each URL once. Relative URLs are resolved by normalize.
   */
  private enclosuresOf(item: XmlElement, atom: boolean, base: string): RawEnclosure[] {
    const found: RawEnclosure[] = []
    const add = (url: string | undefined, type: string | undefined, length: string | undefined): void => {
      if (url === undefined || found.some((one) => one.url === url)) return
      found.push(dropUndefined({ url: url.trim(), type: type?.trim(), length: length?.trim() }))
    }
    if (atom) {
      for (const link of this.children(item, 'link')) {
        if (this.attribute(link, 'rel') !== 'enclosure') continue
        const href = this.attribute(link, 'href')
        const linkBase = this.baseOf(link, base)
        add(href === undefined || linkBase === undefined ? href : resolveXmlBase(href, linkBase), this.attribute(link, 'type'), this.attribute(link, 'length'))
      }
    } else {
      for (const enclosure of this.children(item, 'enclosure')) add(this.attribute(enclosure, 'url'), this.attribute(enclosure, 'type'), this.attribute(enclosure, 'length'))
    }
    const groups = [item, ...this.childrenIn(item, NS.media, 'group')]
    for (const group of groups) {
      for (const content of this.childrenIn(group, NS.media, 'content')) {
        add(this.attribute(content, 'url'), this.attribute(content, 'type'), this.attribute(content, 'fileSize'))
      }
    }
    for (const group of groups) {
      for (const thumbnail of this.childrenIn(group, NS.media, 'thumbnail')) add(this.attribute(thumbnail, 'url'), undefined, undefined)
    }
    return found
  }

  /** RSS `<category>`, RSS 1.0 `<dc:subject>` and Atom `<category term>`. */
  private categoriesOf(elements: XmlElement[]): string[] {
    const names = elements.map((element) => (this.text(element) ?? this.attribute(element, 'term'))?.trim())
    return [...new Set(names.filter((name): name is string => name !== undefined && name !== ''))]
  }

  /** RSS `<source url>name</source>`, or the title of an Atom `<source>` feed. */
  private mediaOf(source: XmlElement | undefined): string | undefined {
    return this.text(source) ?? this.text(this.child(source, 'title'))
  }

  /** The element's xml:base resolved against its parent's base; undefined when it has none. */
  baseOf(element: XmlElement, against: string): string | undefined {
    return resolveXmlBase(nonBlank(this.scope.attributeOf(element, NS.xml, 'base')), against)
  }

  /**
   * Content, summary and description: their text, or their markup when they hold elements (Atom
   * type="xhtml", or HTML a feed did not escape), in document order.
   */
  private contentOf(element: XmlElement | undefined): string | undefined {
    if (element === undefined || !element.children.some((child) => typeof child !== 'string')) return this.text(element)
    return nonBlank(serializeContent(element, CAPS.maxContentChars))
  }

  /** The element's own text, CDATA included, without that of its child elements. Blank → undefined. */
  text(element: XmlElement | undefined): string | undefined {
    if (element === undefined) return undefined
    let text = ''
    for (const child of element.children) if (typeof child === 'string') text += child
    return nonBlank(text)
  }

  /** An unprefixed attribute. */
  private attribute(element: XmlElement, name: string): string | undefined {
    return nonBlank(element.attributes[name])
  }

  /** The first child element of the format's own vocabulary with this local name. */
  child(element: XmlElement | undefined, local: string): XmlElement | undefined {
    return element === undefined ? undefined : this.scope.childElementsOf(element).find((child) => this.isOwn(child, local))
  }

  children(element: XmlElement, local: string): XmlElement[] {
    return this.scope.childElementsOf(element).filter((child) => this.isOwn(child, local))
  }

  private childIn(element: XmlElement | undefined, uri: string, local: string): XmlElement | undefined {
    return element === undefined ? undefined : this.scope.childElementsOf(element).find((child) => this.isNamed(child, uri, local))
  }

  private childrenIn(element: XmlElement, uri: string, local: string): XmlElement[] {
    return this.scope.childElementsOf(element).filter((child) => this.isNamed(child, uri, local))
  }

  private isOwn(element: XmlElement, local: string): boolean {
    const name = this.scope.nameOf(element)
    return name.local === local && this.own.has(name.uri)
  }

  private isNamed(element: XmlElement, uri: string, local: string): boolean {
    const name = this.scope.nameOf(element)
    return name.local === local && name.uri === uri
  }
}

function resolveXmlBase(base: string | undefined, against: string): string | undefined {
  if (base === undefined) return undefined
  try {
    return new URL(base.trim(), against).href
  } catch {
    return undefined
  }
}

function nonBlank(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text
}

