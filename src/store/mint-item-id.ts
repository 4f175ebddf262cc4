import { createHash } from 'node:crypto'

const INFOCODE_KEY = /^infocode:([A-Za-z0-9_-]+)$/

/**
 * The published id of an item, from its first key: `urn:feedloom:<infoCode>`, so the id reads
 * like the seed's post names, else the first 20 hex digits (80 bits) of the key's sha256.
 * An infoCode with characters outside [A-Za-z0-9_-] is hashed too, to keep the URN valid.
 */
export function mintItemId(key: string): string {
  const infoCode = INFOCODE_KEY.exec(key)?.[1]
  if (infoCode !== undefined) return `urn:feedloom:${infoCode}`
  return `urn:feedloom:${createHash('sha256').update(key).digest('hex').slice(0, 20)}`
}
