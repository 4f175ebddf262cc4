import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli, runCliWith, writeConfig } from '../helpers/run-cli.js'

const site = { title: '金融消息', url: 'https://news.example.com/' }

const dirs: string[] = []
async function validate(config: object, env: Record<string, string> = {}) {
  const { dir, configPath } = await writeConfig({ site, ...config })
  dirs.push(dir)
  const run = await runCliWith(['validate', '--config', configPath], { env }).done
  return { ...run, dir }
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('feedloom validate: where files go', () => {
  it('accepts the defaults: out/ and store/db.json beside the config', async () => {
    const { code, stdout } = await validate({})
    expect([code, stdout]).toEqual([0, expect.stringMatching(/: ok, 0 sources$/)])
  })

  it('accepts an output folder and a store anywhere else, and Jekyll posts in a folder below output.dir', async () => {
    const { code } = await validate({
      store: { path: '/var/lib/feedloom/db.json' },
      output: { dir: '/var/www/feeds', jekyll: { dir: 'site/../_posts', siteUrl: '//finews.example.com' } },
    })
    expect(code).toBe(0)
  })

  it.each([
    ['store/db.json inside the output folder', { store: { path: 'out/store/db.json' } }, /store\.path: .*out\/store\/db\.json is inside output\.dir .*out, which is published/],
    ['a store at the root of the output folder', { store: { path: 'site/db.json' }, output: { dir: 'site' } }, /store\.path: .* is inside output\.dir/],
    ['output.dir "/"', { output: { dir: '/' } }, /output\.dir: is the root of the file system/],
    ['output.dir "." (the config\'s folder)', { output: { dir: '.' } }, /output\.dir: holds the config's own folder/],
    ['output.dir ".." (above the config)', { output: { dir: '..' } }, /output\.dir: holds the config's own folder/],
    ['output.jekyll.dir "../victim"', { output: { jekyll: { dir: '../victim', siteUrl: '//a.example' } } }, /output\.jekyll\.dir: "\.\.\/victim" leaves output\.dir/],
    ['output.jekyll.dir "_posts/../../victim"', { output: { jekyll: { dir: '_posts/../../victim', siteUrl: '//a.example' } } }, /output\.jekyll\.dir: .* leaves output\.dir/],
    ['output.jekyll.dir "." (output.dir itself)', { output: { jekyll: { dir: '.', siteUrl: '//a.example' } } }, /output\.jekyll\.dir: "\." leaves output\.dir/],
    ['an absolute output.jekyll.dir', { output: { jekyll: { dir: '/tmp/victim', siteUrl: '//a.example' } } }, /output\.jekyll\.dir: must be a folder relative to output\.dir/],
  ])('refuses %s, exiting 1 with the path of the setting', async (_name, config, problem) => {
    const { code, stderr } = await validate(config)
    expect([code, stderr]).toEqual([1, expect.stringMatching(problem)])
  })

  it('refuses FEEDLOOM_OUTPUT_DIR=/ like output.dir "/"', async () => {
    const { code, stderr } = await validate({}, { FEEDLOOM_OUTPUT_DIR: '/' })
    expect([code, stderr]).toEqual([1, expect.stringMatching(/output\.dir: is the root of the file system/)])
  })
})

describe('feedloom validate: timers', () => {
  it('refuses fetch.timeoutMs above 2^31-1, which Node timers cannot wait for', async () => {
    const { code, stderr } = await validate({ fetch: { timeoutMs: 2 ** 31 } })
    expect([code, stderr]).toEqual([1, expect.stringMatching(/fetch\.timeoutMs: must be at most 2147483647/)])
  })

  it('accepts fetch.timeoutMs of exactly 2^31-1', async () => {
    const { code } = await validate({ fetch: { timeoutMs: 2 ** 31 - 1 } })
    expect(code).toBe(0)
  })
})

describe('feedloom run with a store inside output.dir', () => {
  it('exits 1 before fetching or writing anything', async () => {
    const { dir, configPath } = await writeConfig({ site, store: { path: 'out/db.json' } })
    dirs.push(dir)
    const run = await runCli('run', '--config', configPath)
    expect([run.code, run.stderr]).toEqual([1, expect.stringMatching(/store\.path: .* is inside output\.dir/)])
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })
})
