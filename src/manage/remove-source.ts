import type { SourceConfig } from '../config/config-schema.js'
import { removeArrayElement } from '../config/edit-json-text.js'
import { saveConfig } from '../config/save-config.js'
import { UsageError } from '../errors.js'
import type { ConfigTarget } from './config-target.js'

/**
 * Drops the source from feeds.config.json, leaving the rest of the file as it was.
 * @returns the source removed
 * @throws UsageError when no source has that id
 */
export async function removeSource(target: ConfigTarget, id: string): Promise<SourceConfig> {
  const { config } = target
  const index = config.sources.findIndex((source) => source.id === id)
  const source = config.sources[index]
  if (source === undefined) {
    const known = config.sources.map((s) => s.id).join(', ')
    throw new UsageError(`no source with id "${id}"`, known === '' ? 'the config has no sources' : `sources: ${known}`)
  }
  await saveConfig({ path: target.path, fileText: removeArrayElement(target.fileText, ['sources'], index), env: target.env })
  return source
}
