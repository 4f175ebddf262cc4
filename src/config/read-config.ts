import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import type { Config } from './config-schema.js'
import { loadConfig } from './load-config.js'

export interface ConfigFile {
  /** The file as written, for edits that keep its formatting. */
  fileText: string
  config: Readonly<Config>
}

/** Reads and validates the config file at `path`; relative paths in it are resolved against its folder. */
export async function readConfig(path: string, env?: Readonly<Record<string, string | undefined>>): Promise<Readonly<Config>> {
  return (await readConfigFile(path, env)).config
}

/** Like readConfig, also handing back the file's text, for commands that edit it (add, remove, import-opml). */
export async function readConfigFile(path: string, env?: Readonly<Record<string, string | undefined>>): Promise<ConfigFile> {
  let fileText: string
  try {
    fileText = await readFile(path, 'utf8')
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (cause as Error).message
    throw new ConfigError([`${path}: ${reason}`], { cause, code: 'E_CONFIG_READ' })
  }
  return { fileText, config: loadConfig({ fileText, baseDir: dirname(resolve(path)), env }) }
}
