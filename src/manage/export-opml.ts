import { resolve } from 'node:path'
import type { Config } from '../config/config-schema.js'
import { renderSourcesOpml, type RenderSourcesOpmlResult } from '../config/render-sources-opml.js'
import { writeFileAtomic } from '../config/save-config.js'

/** The feed sources as OPML 2.0, written atomically to `output` when one is given. */
export async function exportOpml(config: Readonly<Config>, output?: string): Promise<RenderSourcesOpmlResult> {
  const opml = renderSourcesOpml(config)
  if (output !== undefined) await writeFileAtomic(resolve(output), opml.text)
  return opml
}
