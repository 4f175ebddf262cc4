import { basename, extname } from 'node:path'

/** The feeds feedloom publishes, by file name: readers and validators go by these types. */
const BY_NAME: Record<string, string> = {
  'rss.xml': 'application/rss+xml',
  'atom.xml': 'application/atom+xml',
  'feed.json': 'application/feed+json',
  'status.json': 'application/json',
}

const BY_EXTENSION: Record<string, string> = {
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.opml': 'text/x-opml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xml': 'application/xml',
  '.xsl': 'application/xslt+xml',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/** Content-Type for a file under out/; text types carry `charset=utf-8`, since publish writes UTF-8 only. */
export function contentTypeOf(path: string): string {
  const type = BY_NAME[basename(path).toLowerCase()] ?? BY_EXTENSION[extname(path).toLowerCase()] ?? 'application/octet-stream'
  return isTextType(type) ? `${type}; charset=utf-8` : type
}

/** Types worth compressing (and that are text): text/*, XML, JSON and JavaScript. */
export function isCompressible(contentType: string): boolean {
  return isTextType(contentType.split(';')[0]?.trim() ?? '')
}

function isTextType(type: string): boolean {
  return type.startsWith('text/') || /[/+](?:xml|json)$/.test(type) || type === 'application/xslt+xml'
}
