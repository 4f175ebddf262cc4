import type { NormalizedEntry } from '../types.js'

/** Every identity of an entry, key first, for store lookups. */
export function identitiesOf(entry: Pick<NormalizedEntry, 'key' | 'aliases'>): string[] {
  return [entry.key, ...entry.aliases]
}
