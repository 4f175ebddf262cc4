import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { type CliIo, runMain } from '../../src/cli/main.js'
import { createFeedServer, type FeedServer, type Route } from './feed-server.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in this process (fast): same code path as `feedloom`, minus process.*. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  return runCliWith(argv).done
}

/** Like runCli, with a chosen signal, env or progress stream; output can be read while it runs. */
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

const binPath = resolve(import.meta.dirname, '../../src/cli/bin.ts')

/**
 * Starts the real CLI as a child process, for signals and exit codes; with `maxOpenFiles`, under
 * that file descriptor limit (`prlimit`, as `ulimit -n` would set it).
 */
export function spawnCli(argv: string[], options: { cwd?: string; maxOpenFiles?: number } = {}) {
  const command = [process.execPath, '--import', 'tsx', binPath, ...argv]
  const limited = options.maxOpenFiles === undefined ? command : ['prlimit', `--nofile=${options.maxOpenFiles}`, '--', ...command]
  const [file = process.execPath, ...args] = limited
  return spawn(file, args, {
    cwd: options.cwd ?? resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** A temp folder holding feeds.config.json built from `config`. */
export async function writeConfig(config: unknown): Promise<{ dir: string; configPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'feedloom-'))
  const configPath = join(dir, 'feeds.config.json')
  await writeFile(configPath, JSON.stringify(config, null, 2))
  return { dir, configPath }
}

/** A temp folder with feeds.config.json holding exactly `text`. */
export async function writeConfigText(text: string): Promise<{ dir: string; configPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'feedloom-cli-'))
  const configPath = join(dir, 'feeds.config.json')
  await writeFile(configPath, text)
  return { dir, configPath }
}

/**
 * A local feed server answering `routes` and a temp folder with feeds.config.json written from
 * `configOf(server.url)`, fresh for each test and gone after it. Call at the top of a test file;
 * read the fields inside the tests.
 */
export function useConfiguredServer(
  routes: () => Record<string, Route> | Promise<Record<string, Route>>,
  configOf: (serverUrl: string) => unknown,
): { readonly server: FeedServer; readonly dir: string; readonly configPath: string } {
  const current = {} as { server: FeedServer; dir: string; configPath: string }
  beforeEach(async () => {
    current.server = await createFeedServer(await routes())
    Object.assign(current, await writeConfig(configOf(current.server.url)))
  })
  afterEach(async () => {
    await current.server.close()
    await rm(current.dir, { recursive: true, force: true })
  })
  return current
}
