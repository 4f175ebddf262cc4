import type { JsonSourceConfig } from '../config/config-schema.js'

export type JsonMapping = Pick<JsonSourceConfig, 'items' | 'fields'>

/** JSON Feed 1.0/1.1 items mapped onto a json source's fields. */
export const JSON_FEED_MAPPING: JsonMapping = {
  items: 'items',
  fields: {
    guid: 'id',
    title: 'title',
    link: 'url',
    published: 'date_published',
    summary: 'summary',
    content: 'content_html',
    author: 'authors.0.name',
  },
}

/** Field names news APIs use, the first found wins; the seed's API (title, infoCode, datetime, medianame, digest) first. */
const CANDIDATES: Record<keyof JsonMapping['fields'], readonly string[]> = {
  title: ['title', 'Title', 'name'],
  infoCode: ['infoCode', 'infocode', 'InfoCode', 'code'],
  published: ['datetime', 'showtime', 'showTime', 'publishTime', 'publish_time', 'pubDate', 'published', 'date', 'time', 'ctime'],
  media: ['medianame', 'mediaName', 'media', 'from', 'source'],
  summary: ['digest', 'summary', 'description', 'abstract', 'brief'],
  link: ['url', 'link', 'href', 'shareUrl'],
  content: ['content', 'text', 'body'],
  author: ['author', 'authorName'],
  guid: ['id', 'guid', 'newsId'],
}

/** A JSON document that is a JSON Feed (its `version` names jsonfeed.org). */
export function isJsonFeed(document: unknown): boolean {
  return isRecord(document) && typeof document.version === 'string' && document.version.startsWith('https://jsonfeed.org/version/') && Array.isArray(document.items)
}

/**
 * How to read a JSON answer as a list of items: JSON Feed's own mapping, or, for a news API, the
 * first array of objects within two levels and its fields by common names. Undefined when there is
 * no such array or its items have no title field.
 */
export function guessJsonSource(document: unknown): JsonMapping | undefined {
  if (isJsonFeed(document)) return JSON_FEED_MAPPING
  const found = findItemArray(document, '', 0)
  const first = found?.items.find(isRecord)
  if (found === undefined || first === undefined) return undefined
  const fields: Partial<JsonMapping['fields']> = {}
  for (const [field, names] of Object.entries(CANDIDATES) as [keyof JsonMapping['fields'], readonly string[]][]) {
    const name = names.find((candidate) => Object.hasOwn(first, candidate) && first[candidate] !== null && typeof first[candidate] !== 'object')
    if (name !== undefined) fields[field] = name
  }
  if (fields.title === undefined) return undefined
  return { items: found.path, fields: { ...fields, title: fields.title } }
}

function findItemArray(value: unknown, path: string, depth: number): { path: string; items: unknown[] } | undefined {
  if (Array.isArray(value)) return value.some(isRecord) ? { path, items: value } : undefined
  if (!isRecord(value) || depth > 2) return undefined
  for (const [key, child] of Object.entries(value)) {
    const found = findItemArray(child, path === '' ? key : `${path}.${key}`, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
