import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TIME_BIN = '/usr/bin/time'

export interface CommandOptions {
  command: string
  args: readonly string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Killed (SIGKILL) after this long. @default 600_000 */
  timeoutMs?: number
}

export interface CommandFigures {
  wallMs: number
  /** User + system CPU of the process and every child it waited for. */
  cpuMs: number
  /** Largest resident set of the process or of any one of its children. */
  maxRssKb: number
  exitCode: number
  stdout: string
  stderr: string
}

const KEPT_OUTPUT_CHARS = 64_000

/**
 * Runs a command under GNU time (`/usr/bin/time -v`) and reads wall, CPU and peak RSS. Async on
 * purpose: the feed farm answers from this same process while the command runs.
 */
export async function measureCommand(options: CommandOptions): Promise<CommandFigures> {
  if (!existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} is missing: apt-get install -y time`)
  const reportPath = join(tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`)
  const startedMs = performance.now()
  const child = spawn(TIME_BIN, ['-v', '-o', reportPath, options.command, ...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-KEPT_OUTPUT_CHARS)))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-KEPT_OUTPUT_CHARS)))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000)
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  }).finally(() => clearTimeout(timer))
  const wallMs = performance.now() - startedMs
  const report = await readFile(reportPath, 'utf8').catch(() => '')
  await rm(reportPath, { force: true })
  const seconds = (label: string): number => Number(new RegExp(`${label}: ([0-9.]+)`).exec(report)?.[1] ?? 'NaN')
  return {
    wallMs,
    cpuMs: (seconds('User time \\(seconds\\)') + seconds('System time \\(seconds\\)')) * 1000,
    maxRssKb: seconds('Maximum resident set size \\(kbytes\\)'),
    exitCode,
    stdout,
    stderr,
  }
}
