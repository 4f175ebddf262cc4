import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseOpml } from '../config/parse-opml.js'
import { saveConfig } from '../config/save-config.js'
import { UsageError } from '../errors.js'
import { appendSources } from './append-sources.js'
import type { ConfigTarget } from './config-target.js'
import { planOpmlImport, type OpmlImportPlan } from './plan-opml-import.js'

/**
 * Adds the feeds of an OPML file to feeds.config.json.
 * @returns what was added, and each outline left out with why
 * @throws UsageError when the file cannot be read
 */
export async function importOpml(target: ConfigTarget, file: string): Promise<OpmlImportPlan> {
  let opmlText: string
  try {
    opmlText = await readFile(resolve(file), 'utf8')
  } catch (cause) {
    throw new UsageError(`cannot read ${file}: ${(cause as Error).message}`, undefined, { cause })
  }
  const plan = planOpmlImport(target.config, parseOpml(opmlText, file))
  if (plan.sources.length > 0) {
    await saveConfig({ path: target.path, fileText: appendSources(target.fileText, plan), env: target.env })
  }
  return plan
}
