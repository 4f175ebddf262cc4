import { ParseError } from '../../errors.js'

/**
 * JSON text → value. An HTML answer (a login wall, an error page, a CDN challenge) is named as
 * such, since "Unexpected token <" helps nobody find out what the API sent.
 * @throws ParseError E_PARSE_JSON, with the JSON.parse error as `cause`
 */
export function parseJsonText(text: string, url: string): unknown {
  const start = text.replace(/^\uFEFF/, '').trimStart()
  try {
    return JSON.parse(start)
  } catch (cause) {
    const what = describeNonJson(start)
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new ParseError('E_PARSE_JSON', `not JSON: got ${what} from ${url}: ${reason}`, { cause })
  }
}

function describeNonJson(text: string): string {
  if (/^<!doctype\s+html|^<html[\s>]|^<head[\s>]|^<body[\s>]/i.test(text)) return 'an HTML page'
  if (text.startsWith('<')) return 'markup'
  if (text.startsWith('{') || text.startsWith('[')) return 'malformed JSON'
  return 'plain text'
}

/** The value at a dot path (`data.list`, `items.0.text`); the empty path is the value itself. */
export function readJsonPath(value: unknown, path: string): unknown {
  if (path === '') return value
  let current = value
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)]
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment]
    else return undefined
  }
  return current
}

/** A field as text: strings as given, finite numbers in decimal (epoch dates, numeric ids); anything else is absent. */
export function toFieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
