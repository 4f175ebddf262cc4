import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type CliIo } from '../../src/cli/main.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in this process with a chosen signal, env or progress stream; the result once it exits. */
export function runCliWith(argv: string[], io: Partial<Omit<CliIo, 'argv' | 'stdout' | 'stderr'>> = {}) {
  const stdout: string[] = []
  const stderr: string[] = []
  const done = runMain({
    argv,
    env: {},
    signal: new AbortController().signal,
    ...io,
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  }).then((code): CliRun => ({ code, stdout: stdout.join('\n'), stderr: stderr.join('\n') }))
  return { done, stdout, stderr }
}

/** A temp folder with feeds.config.json holding exactly `text`. */
export async function writeConfigText(text: string): Promise<{ dir: string; configPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'feedloom-cli-'))
  const configPath = join(dir, 'feeds.config.json')
  await writeFile(configPath, text)
  return { dir, configPath }
}
