import { dirname, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { writeFileAtomic as writeFileAtomicOrThrow } from '../fsx/write-file-atomic.js'
import type { Config } from './config-schema.js'
import { loadConfig } from './load-config.js'

export interface SaveConfigOptions {
  /** Where feeds.config.json lives; it is replaced, never edited in place. */
  path: string
  /** The whole new file. */
  fileText: string
  /** The same `FEEDLOOM_*` variables the file is loaded with, so validation sees what a run would. */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Validates the new config text and only then replaces the file atomically (temp file in the same
 * folder, fsync, rename), keeping the old file's permissions: a crash leaves the old or the new
 * file, never half of one.
 * @throws ConfigError E_CONFIG_INVALID with every problem when the text is not a valid config;
 *   E_CONFIG_READ when the file cannot be written
 */
export async function saveConfig({ path, fileText, env }: SaveConfigOptions): Promise<Readonly<Config>> {
  const absolute = resolve(path)
  const config = loadConfig({ fileText, baseDir: dirname(absolute), env })
  await writeFileAtomic(absolute, fileText)
  return config
}

/** write-file-atomic.ts, with a failure reported as the config's: readers see the old bytes or the new ones. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomicOrThrow(path, text)
  } catch (cause) {
    throw new ConfigError([`${path}: cannot write: ${(cause as Error).message}`], { cause, code: 'E_CONFIG_READ' })
  }
}
