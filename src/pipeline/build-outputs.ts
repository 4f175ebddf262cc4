import type { Config } from '../config/config-schema.js'
import { publishOutputs, type PublishResult } from '../publish/publish-outputs.js'
import { openStore } from '../store/open-store.js'

/** Regenerates every output from the store without fetching; files whose bytes are unchanged are left alone. */
export async function buildOutputs(config: Readonly<Config>): Promise<PublishResult> {
  const store = await openStore({ path: config.store.path })
  try {
    return await publishOutputs({ items: store.items(), config, changedCategories: 'all' })
  } finally {
    await store.close()
  }
}
