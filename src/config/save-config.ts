import { randomUUID } from 'node:crypto'
import { chmod, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
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

/** Temp file beside `path`, then rename: readers see the old bytes or the new ones. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`)
  const mode = await stat(path).then(
    (stats) => stats.mode & 0o777,
    () => undefined,
  )
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (mode !== undefined) await chmod(temp, mode)
    await rename(temp, path)
  } catch (cause) {
    await rm(temp, { force: true })
    throw new ConfigError([`${path}: cannot write: ${(cause as Error).message}`], { cause, code: 'E_CONFIG_READ' })
  }
}
