/**
 * Plain data passed between stages. Stages import only this file and errors.ts from
 * each other; pipeline/ composes them.
 */

/** What a parser found in one entry of a source, before any cleaning. All strings as given. */
export interface RawEntry {
  guid?: string
  link?: string
  title?: string
  /** Full HTML content (content:encoded, atom:content). */
  content?: string
  /** Short description or digest. */
  summary?: string
  author?: string
  /** The date string exactly as the source gave it. */
  published?: string
  updated?: string
  categories?: string[]
  /** The source's own article code when it has a field for it. */
  infoCode?: string
  /** Name of the media outlet that published the story (每日经济新闻). */
  media?: string
  shareLink?: string
  /** xml:base in scope for this entry, for resolving its relative links. */
  baseUrl?: string
}

export interface ParsedFeed {
  title?: string
  /** The site the feed describes (RSS `<link>`, Atom `rel=alternate`). */
  link?: string
  /** xml:base of the feed element. */
  baseUrl?: string
  entries: RawEntry[]
}

/** An entry after normalize: absolute links, instants, sanitized HTML, a key and a category. */
export interface NormalizedEntry {
  /** Identity (DESIGN.md): `infocode:NW…`, `link:https://…`, `guid:…` or `hash:…`. */
  key: string
  /** Every other identity this entry can be recognised by (guid, link, share link). */
  aliases: string[]
  sourceId: string
  title: string
  link: string
  /** Sanitized HTML. */
  content?: string
  summary?: string
  author?: string
  /** ISO 8601 instant; absent when the source gave no usable date (first-seen is used). */
  published?: string
  /** ISO 8601 instant from the source, when given. */
  updated?: string
  category: string
  /** Title for a category derived from a media outlet (the outlet's name). */
  categoryTitle?: string
  categories: string[]
  infoCode?: string
  media?: string
  shareLink?: string
}

/** An entry normalize refused, with the reason a user can act on. */
export interface DroppedEntry {
  sourceId: string
  reason: string
}

/** One item in the store and in every output. */
export interface StoredItem {
  /** Published id, minted once from the first key and never changed. A `urn:` IRI. */
  id: string
  key: string
  aliases: string[]
  sources: string[]
  title: string
  link: string
  content?: string
  summary?: string
  author?: string
  /** ISO instant shown as the item's date: the source's date, else first-seen. */
  published: string
  /** ISO instant of the last change to title or content after first publication. */
  updated?: string
  firstSeen: string
  category: string
  categoryTitle?: string
  categories: string[]
  infoCode?: string
  media?: string
  shareLink?: string
}

/** Which charset decoded a response and why. */
export interface CharsetChoice {
  encoding: string
  reason: 'override' | 'bom' | 'header' | 'prolog' | 'meta' | 'default'
}

/** Per-source state kept in the store between cycles. */
export interface SourceState {
  etag?: string
  lastModified?: string
  /** Hash of the last body parsed, so an unchanged 200 is treated like a 304. */
  bodyHash?: string
  /** Last time the source answered with content that changed something, ISO. */
  lastSuccessAt?: string
  lastErrorAt?: string
  lastError?: { code: string; message: string; status?: number }
  consecutiveFailures: number
  /** ISO; the source is skipped until then (backoff, Retry-After). */
  nextAttemptAt?: string
  charset?: CharsetChoice
  /** URL answered after redirects, when it differs from the configured one. */
  effectiveUrl?: string
  itemsSeen: number
}

/** Where stages report what happened; the CLI decides how it looks. Fields are camelCase. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}
