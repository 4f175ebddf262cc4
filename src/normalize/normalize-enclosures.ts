import type { Enclosure, RawEnclosure } from '../types.js'
import { resolveUrl } from './resolve-url.js'

/** MIME types by file extension, for enclosures (a `media:thumbnail`) that name none. */
const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
}

/** RFC 6838 §4.2 type/subtype, parameters allowed after it. */
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;.*)?$/

/**
 * Enclosures with absolute http(s) URLs, each URL once (the first keeps its type and length). The
 * URL is kept as the feed gave it, resolved only: a private or loopback address is never rewritten.
 */
export function normalizeEnclosures(raws: readonly RawEnclosure[] | undefined, bases: readonly string[]): Enclosure[] | undefined {
  const enclosures: Enclosure[] = []
  for (const raw of raws ?? []) {
    const url = resolveUrl(raw.url, bases)
    if (url === undefined || enclosures.some((enclosure) => enclosure.url === url)) continue
    const type = raw.type !== undefined && MIME_TYPE.test(raw.type.trim()) ? raw.type.trim().toLowerCase() : typeOfPath(url)
    const length = raw.length !== undefined && /^\s*\d{1,15}\s*$/.test(raw.length) ? Number(raw.length) : undefined
    enclosures.push({ url, ...(type === undefined ? {} : { type }), ...(length === undefined || length === 0 ? {} : { length }) })
  }
  return enclosures.length > 0 ? enclosures : undefined
}

function typeOfPath(url: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(new URL(url).pathname)?.[1]
  return extension === undefined ? undefined : TYPES_BY_EXTENSION[extension.toLowerCase()]
}
