import { createHash } from 'node:crypto'
import { canonicalizeUrl, hasScheme } from './resolve-url.js'

export interface IdentifyEntryInput {
  sourceId: string
  /** The source's own article code, when it has a field for it. */
  infoCode?: string
  /** Absolute http(s) link of the entry. */
  link?: string
  guid?: string
  /** A link that is an absolute URI but not http(s) (`tag:`, `urn:`): an id like a guid, never a link. */
  linkId?: string
  /** Absolute http(s) share link. */
  shareLink?: string
  /** Plain-text title; part of the last-resort hash. */
  title: string
  /** The date string as the source gave it; part of the last-resort hash. */
  published?: string
  /** The entry's content or summary as given; part of the last-resort hash. */
  body?: string
}

export interface EntryIdentity {
  /** `infocode:…`, `link:…`, `guid:…` or `hash:…` (docs/architecture.md, "Identity and merging"). */
  key: string
  /** Every other identity the entry can be recognised by, deduped, without the key. */
  aliases: string[]
  infoCode?: string
}

/**
 * Item identity: infoCode, else canonical link, else guid (or a non-http link such as
 * `tag:`), else a hash of title, date and body. The guid, link id and hash of an entry without
 * its own URI are scoped to its source: the same entry read again is the same item.
 */
export function identifyEntry(input: IdentifyEntryInput): EntryIdentity {
  const infoCode = input.infoCode?.trim() || findInfoCode([input.link, input.guid, input.shareLink])
  const linkKey = input.link === undefined ? undefined : `link:${canonicalizeUrl(input.link)}`
  const guidKey = input.guid === undefined ? undefined : guidKeyOf(input.guid, input.sourceId)
  const linkIdKey = input.linkId === undefined ? undefined : guidKeyOf(input.linkId, input.sourceId)
  const shareKey = input.shareLink === undefined ? undefined : `link:${canonicalizeUrl(input.shareLink)}`
  const key =
    (infoCode === undefined ? undefined : `infocode:${infoCode}`) ??
    linkKey ??
    guidKey ??
    linkIdKey ??
    `hash:${hashOf(input.sourceId, input.title, input.published ?? '', input.body ?? '')}`
  const aliases = [...new Set([linkKey, guidKey, linkIdKey, shareKey])].filter(
    (alias): alias is string => alias !== undefined && alias !== key,
  )
  return infoCode === undefined ? { key, aliases } : { key, aliases, infoCode }
}

/** The first non-empty `infoCode` query parameter (name matched case-insensitively) among `values`. */
export function findInfoCode(values: readonly (string | undefined)[]): string | undefined {
  for (const value of values) {
    const code = value === undefined ? undefined : infoCodeParamOf(value)
    if (code !== undefined) return code
  }
  return undefined
}

function infoCodeParamOf(value: string): string | undefined {
  let params: URLSearchParams
  try {
    // The placeholder base lets a relative link or a URL-shaped guid be read too.
    params = new URL(value, 'http://placeholder.invalid/').searchParams
  } catch {
    return undefined
  }
  for (const [name, code] of params) {
    if (name.toLowerCase() === 'infocode' && code.trim() !== '') return code.trim()
  }
  return undefined
}

/** A guid that is no absolute URI (a bare `123`) only means something within its source. */
function guidKeyOf(guid: string, sourceId: string): string {
  return hasScheme(guid) ? `guid:${guid}` : `guid:${sourceId}:${guid}`
}

/** An empty body hashes as before bodies were part of it, so keys already stored stay the same. */
function hashOf(sourceId: string, title: string, published: string, body: string): string {
  const text = body === '' ? `${sourceId}\0${title}\0${published}` : `${sourceId}\0${title}\0${published}\0${body}`
  return createHash('sha256').update(text).digest('hex')
}
