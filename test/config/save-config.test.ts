import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { saveConfig } from '../../src/config/save-config.js'
import { ConfigError } from '../../src/errors.js'

const valid = '{\n  "site": { "title": "t", "url": "https://news.example.com/" }\n}\n'

let dir: string
let path: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedloom-save-'))
  path = join(dir, 'feeds.config.json')
  await writeFile(path, valid)
})

afterEach(() => rm(dir, { recursive: true, force: true }))

describe('saveConfig', () => {
  it('replaces the file with the new text and leaves no temp file', async () => {
    const next = valid.replace('"t"', '"新标题"')
    await saveConfig({ path, fileText: next })
    expect(await readFile(path, 'utf8')).toBe(next)
    expect(await readdir(dir)).toEqual(['feeds.config.json'])
  })

  it('refuses an invalid config with every problem and leaves the file alone', async () => {
    const broken = '{ "site": { "title": "t", "url": "nope" }, "sources": [{ "id": "A", "type": "feed", "url": "x" }] }'
    const error = await saveConfig({ path, fileText: broken }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual(expect.arrayContaining([expect.stringMatching(/^site\.url: /), expect.stringMatching(/^sources\[0\]\.id: /)]))
    expect(await readFile(path, 'utf8')).toBe(valid)
  })

  it("keeps the file's permissions", async () => {
    await chmod(path, 0o600)
    await saveConfig({ path, fileText: valid.replace('"t"', '"u"') })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })
})
