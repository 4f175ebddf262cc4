import { ParseError } from '../../errors.js'
import type { RawEntry } from '../../types.js'
import { fillUrlTemplate } from './fill-url-template.js'
import { isRecord, parseJsonText, readJsonPath, toFieldText } from './read-json.js'

/** Dot paths of each field inside one item (`title`, `data.medianame`). */
export interface JsonFieldPaths {
  infoCode?: string
  title: string
  published?: string
  media?: string
  summary?: string
  link?: string
  content?: string
  author?: string
  guid?: string
}

export interface ParseJsonListOptions {
  /** The URL the text was fetched from, for messages. */
  url: string
  /** Dot path of the item array; '' when the answer is the array. */
  items: string
  fields: JsonFieldPaths
  /** `…/NewsShare.html?infoCode={infoCode}`: filled from each item's mapped fields. */
  shareLink?: string
}

type MappedField = keyof JsonFieldPaths

const MAPPED_FIELDS = [
  'infoCode', 'title', 'published', 'media', 'summary', 'link', 'content', 'author', 'guid',
] as const satisfies readonly MappedField[]

/**
 * A news list API's answer → raw entries, one per element of the item array, fields read by
 * their dot paths. Never fetches.
 * @throws ParseError E_PARSE_JSON for text that is not JSON (an HTML page included),
 *   E_PARSE_FORMAT when the items path does not lead to an array
 */
export function parseJsonList(text: string, options: ParseJsonListOptions): RawEntry[] {
  const document = parseJsonText(text, options.url)
  const items = readJsonPath(document, options.items)
  if (!Array.isArray(items)) {
    const where = options.items === '' ? 'the answer' : `"${options.items}"`
    throw new ParseError('E_PARSE_FORMAT', `no item array in ${options.url}: ${where} is ${describeValue(items)}`)
  }
  return items.map((item) => toRawEntry(item, options))
}

/** The mapped field values of a raw entry, by field name, for URL templates. */
export function templateValuesOf(entry: RawEntry): Record<string, string | undefined> {
  return {
    infoCode: entry.infoCode,
    title: entry.title,
    published: entry.published,
    media: entry.media,
    summary: entry.summary,
    link: entry.link,
    content: entry.content,
    author: entry.author,
    guid: entry.guid,
  }
}

function toRawEntry(item: unknown, options: ParseJsonListOptions): RawEntry {
  const entry: RawEntry = {}
  if (!isRecord(item)) return entry
  for (const field of MAPPED_FIELDS) {
    const path = options.fields[field]
    const value = path === undefined ? undefined : toFieldText(readJsonPath(item, path))
    if (value !== undefined) entry[field] = value
  }
  if (options.shareLink !== undefined) {
    const filled = fillUrlTemplate(options.shareLink, templateValuesOf(entry))
    if ('url' in filled) entry.shareLink = filled.url
  }
  return entry
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (isRecord(value)) return 'an object'
  return `a ${typeof value}`
}
