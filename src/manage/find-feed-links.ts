import { decodeHtmlAttribute, decodeHtmlEntities } from '../text/decode-entities.js'

export type FeedLinkKind = 'rss' | 'atom' | 'json'

/** A feed an HTML page points to with `<link rel="alternate" type="…">`. */
export interface FeedLink {
  /** Absolute http(s) URL. */
  url: string
  kind: FeedLinkKind
  title?: string
}

const FEED_TYPES: Record<string, FeedLinkKind> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
}

/**
 * The feeds an HTML page advertises (RSS/Atom autodiscovery, JSON Feed's `application/feed+json`),
 * in page order without repeats, hrefs resolved against `<base href>` or the page's URL. Comments,
 * scripts and templates are skipped: links in them are not part of the page.
 */
export function findFeedLinks(html: string, pageUrl: string): FeedLink[] {
  const page = html.replace(/<!--[\s\S]*?-->|<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>/gi, '')
  const baseHref = attributesOf(/<base\b[^>]*>/i.exec(page)?.[0] ?? '').href
  const base = (baseHref !== undefined && URL.parse(baseHref, pageUrl)?.href) || pageUrl
  const links: FeedLink[] = []
  for (const [tag] of page.matchAll(/<link\b[^>]*>/gi)) {
    const { rel = '', type = '', href, title } = attributesOf(tag)
    const kind = FEED_TYPES[type.split(';')[0]?.trim().toLowerCase() ?? '']
    if (kind === undefined || href === undefined || !rel.toLowerCase().split(/\s+/).includes('alternate')) continue
    const url = URL.parse(href.trim(), base)
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue
    url.hash = ''
    if (links.some((link) => link.url === url.href)) continue
    const cleanTitle = title?.replace(/\s+/g, ' ').trim()
    links.push({ url: url.href, kind, ...(cleanTitle ? { title: cleanTitle } : {}) })
  }
  return links
}

/** The text of an HTML page's `<title>`, for naming a share source. */
export function findPageTitle(html: string): string | undefined {
  const raw = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html)?.[1]
  const title = raw === undefined ? '' : decodeHtmlEntities(raw).replace(/\s+/g, ' ').trim()
  return title === '' ? undefined : title
}

/** HTML attributes of one tag, names lower-cased, values entity-decoded. */
function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  const body = tag.replace(/^<[^\s>/]+/, '')
  for (const match of body.matchAll(/([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = (match[1] as string).toLowerCase()
    if (!Object.hasOwn(attributes, name)) attributes[name] = decodeHtmlAttribute(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attributes
}
