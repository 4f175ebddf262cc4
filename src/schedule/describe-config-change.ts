import { isDeepStrictEqual } from 'node:util'
import type { Config } from '../config/config-schema.js'

/**
 * What a reread config changes, as the worker logs it: `sources added: a, b; removed: c; edited:
 * d`, plus the other settings that differ; undefined when nothing did.
 */
export function describeConfigChange(before: Readonly<Config>, after: Readonly<Config>): string | undefined {
  const old = new Map(before.sources.map((source) => [source.id, source]))
  const now = new Map(after.sources.map((source) => [source.id, source]))
  const added = [...now.keys()].filter((id) => !old.has(id))
  const removed = [...old.keys()].filter((id) => !now.has(id))
  const edited = [...now.keys()].filter((id) => old.has(id) && !isDeepStrictEqual(old.get(id), now.get(id)))
  const parts = [
    ...(added.length > 0 ? [`sources added: ${added.join(', ')}`] : []),
    ...(removed.length > 0 ? [`sources removed: ${removed.join(', ')}`] : []),
    ...(edited.length > 0 ? [`sources edited: ${edited.join(', ')}`] : []),
  ]
  const settings = (Object.keys(after) as (keyof Config)[]).filter((key) => key !== 'sources' && !isDeepStrictEqual(before[key], after[key]))
  if (settings.length > 0) parts.push(`settings changed: ${settings.join(', ')}`)
  return parts.length > 0 ? parts.join('; ') : undefined
}
