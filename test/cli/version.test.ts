import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const repoRoot = resolve(import.meta.dirname, '../..')

async function packageVersion(): Promise<string> {
  return (JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
}

describe('feedloom --version', () => {
  it("prints package.json's version and exits 0", async () => {
    const result = await runCli('--version')

    expect(result).toMatchObject({ code: 0, stdout: await packageVersion() })
  })

  it('works through bin/feedloom.js, which runs the bundle `npm run build` makes (npm ci builds it)', async () => {
    expect(existsSync(join(repoRoot, 'dist/bundle/feedloom.mjs')), 'dist/bundle/ is missing: run npm run build').toBe(true)

    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'bin/feedloom.js'), '--version'])

    expect(stdout.trim()).toBe(await packageVersion())
  })
})
