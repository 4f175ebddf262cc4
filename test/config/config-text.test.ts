import { readFile, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli, writeConfigText } from '../helpers/run-cli.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function validate(text: string) {
  const { dir, configPath } = await writeConfigText(text)
  dirs.push(dir)
  return runCli('validate', '--config', configPath)
}

describe('feeds.config.json as people write it', () => {
  it('accepts // and /* */ comments, trailing commas and a UTF-8 BOM', async () => {
    const result = await validate(`\ufeff{
  // the public site
  "site": { "title": "金融消息", "url": "https://news.example.com/", }, /* no trailing comma needed */
  "sources": [
    { "id": "nbd", "type": "feed", "url": "https://nbd.example.com/rss.xml" }, // 每日经济新闻
  ],
}
`)
    expect([result.code, result.stderr]).toEqual([0, ''])
    expect(result.stdout).toMatch(/: ok, 1 sources$/)
  })

  it("loads the README's configuration example as written", async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8')
    const block = /## Configuration: feeds\.config\.json[\s\S]*?```jsonc\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(block).toContain('//')
    const result = await validate(block)
    expect([result.code, result.stderr]).toEqual([0, ''])
  })

  it('reports a syntax error with its line and column, the line itself and a caret', async () => {
    const result = await validate('{\n  "site": { "title": "t" "url": "https://news.example.com/" }\n}\n')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      ['line 2, column 26: expected "," between values', '      "site": { "title": "t" "url": "https://news.example.com/" }', `${' '.repeat(4 + 25)}^`].join('\n'),
    )
  })

  it('refuses an unknown key with its path and the near-miss it probably meant', async () => {
    const result = await validate('{ "site": { "title": "t", "url": "https://news.example.com/", "timezon": "UTC" }, "schedul": "* * * * *" }')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('site.timezon: unknown key (did you mean "timezone"?)')
    expect(result.stderr).toContain('schedul: unknown key (did you mean "schedule"?)')
  })

  it('refuses a source whose category is not among categories, and lists every problem in one run', async () => {
    const result = await validate(`{
  "site": { "title": "t", "url": "https://news.example.com/" },
  "categories": { "meirijingjixinwen": { "title": "每日经济新闻" } },
  "sources": [
    { "id": "nbd", "type": "feed", "url": "https://nbd.example.com/rss.xml", "category": "meirijingjixinwne" },
    { "id": "stcn", "type": "feed", "url": "not a url", "fulltext": true }
  ]
}`)
    expect(result.code).toBe(1)
    expect(result.stderr.split('\n').slice(1)).toEqual([
      '  sources[1].url: must be an absolute http(s) URL',
      '  sources[1].fulltext: unknown key (did you mean "fullText"?)',
      '  sources[0].category: "meirijingjixinwne" is not in categories (did you mean "meirijingjixinwen"?); add it there or fix the name',
    ])
  })
})
