import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const bin = join(resolve(import.meta.dirname, '../..'), 'bin/feedloom.js')

/** `feedloom --version` through the bundle, with FEEDLOOM_HEAP_GROWING_PERCENT set to `value`. */
async function versionWith(value: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, FEEDLOOM_HEAP_GROWING_PERCENT: value }
  return promisify(execFile)(process.execPath, [bin, '--version'], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  )
}

describe('FEEDLOOM_HEAP_GROWING_PERCENT', () => {
  it("takes a whole number of percent, 0 for V8's own policy", async () => {
    const runs = await Promise.all(['0', '100'].map(versionWith))

    expect(runs.map(({ code, stderr }) => [code, stderr])).toEqual([[0, ''], [0, '']])
  })

  it('refuses anything else before the command runs, saying what it takes', async () => {
    expect(await versionWith('20%')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: FEEDLOOM_HEAP_GROWING_PERCENT must be a whole number of percent (0 keeps V8's own heap growth), not "20%"\n`,
    })
  })
})
