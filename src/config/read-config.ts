import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import type { Config } from './config-schema.js'
import { loadConfig } from './load-config.js'

/** Reads and validates the config file at `path`; relative paths in it are resolved against its folder. */
export async function readConfig(path: string, env?: Record<string, string | undefined>): Promise<Readonly<Config>> {
  let fileText: string
  try {
    fileText = await readFile(path, 'utf8')
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (cause as Error).message
    throw new ConfigError([`${path}: ${reason}`], { cause, code: 'E_CONFIG_READ' })
  }
  return loadConfig({ fileText, baseDir: dirname(resolve(path)), env })
}
