import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configJsonSchema } from '../../src/config/config-schema.js'
import { createFeedServer } from '../helpers/feed-server.js'
import { runCli } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const root = resolve(import.meta.dirname, '../..')
let dir: string
let configPath: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedloom-init-'))
  configPath = join(dir, 'feeds.config.json')
})

afterEach(() => rm(dir, { recursive: true, force: true }))

describe('feedloom init', () => {
  it('writes a commented starter config that validates', async () => {
    const init = await runCli('init', '--config', configPath)
    expect(init.code).toBe(0)
    expect(init.stdout).toContain(`wrote ${configPath}`)
    const text = await readFile(configPath, 'utf8')
    expect(text).toMatch(/^\s*\/\/ /m)
    const validate = await runCli('validate', '--config', configPath)
    expect([validate.code, validate.stdout]).toEqual([0, `${configPath}: ok, 0 sources`])
  })

  it("points $schema at the JSON Schema the package ships, which is the one the config schema generates", async () => {
    await runCli('init', '--config', configPath)
    const schemaRef = /"\$schema": "([^"]+)"/.exec(await readFile(configPath, 'utf8'))?.[1] ?? ''
    const schemaPath = schemaRef.startsWith('file:') ? fileURLToPath(schemaRef) : resolve(dir, schemaRef)
    expect(schemaPath).toBe(join(root, 'dist', 'feeds.config.schema.json'))
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { files: string[] }
    expect(pkg.files).toContain('dist')
    expect(JSON.parse(await readFile(schemaPath, 'utf8'))).toEqual(configJsonSchema())
  })

  it('refuses to overwrite an existing file and leaves it as it was', async () => {
    await runCli('init', '--config', configPath)
    const before = await readFile(configPath, 'utf8')
    const again = await runCli('init', '--config', configPath)
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`error: ${configPath} exists already; nothing was written\nhint: edit it, or pass --config <path> to start another one`)
    expect(await readFile(configPath, 'utf8')).toBe(before)
  })

  it('leaves a file that `add` edits without losing its comments', async () => {
    const server = await createFeedServer({ '/rss.xml': rssWith('一') })
    try {
      await runCli('init', '--config', configPath)
      const added = await runCli('add', `${server.url}/rss.xml`, '--id', 'nbd', '--category', '每日经济新闻', '--config', configPath)
      expect(added.code).toBe(0)
      const text = await readFile(configPath, 'utf8')
      expect(text).toContain('// Add sources with `feedloom add')
      expect(text).toContain(`"url": "${server.url}/rss.xml"`)
      expect((await runCli('validate', '--config', configPath)).stdout).toBe(`${configPath}: ok, 1 sources`)
    } finally {
      await server.close()
    }
  })
})
