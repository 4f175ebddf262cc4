import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'

/** Sets the window title, then clears the screen; a C1 CSI; a right-to-left override; a zero-width space; a lone surrogate. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e\u200b\ud800'

/** What a terminal would act on or reorder, in any line the CLI prints. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/

const site = { title: '金融消息', url: 'https://news.example.com/' }

let server: FeedServer
const dirs: string[] = []

beforeAll(async () => {
  server = await createFeedServer({
    '/feed.json': JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: `快讯${HOSTILE} 标题`,
      items: [{ id: '1', title: '快讯', url: 'https://a.example/1', content_html: '<p>x</p>' }],
    }),
    // JSON.parse quotes the start of what it could not read in its message.
    '/api.json': { body: `[\u009b31m\u202e\u001b]0;pwned\u0007\u001b[2J]`, headers: { 'content-type': 'application/json' } },
  })
})

afterAll(async () => {
  await server.close()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempConfig(config: object) {
  const written = await writeConfig({ site, ...config })
  dirs.push(written.dir)
  return written
}

describe('text from feeds reaching the terminal', () => {
  it('add stores and prints a hostile feed title without its control, bidi and zero-width characters', async () => {
    const { configPath } = await tempConfig({})
    const result = await runCli('add', `${server.url}/feed.json`, '--id', 'hostile', '--config', configPath)
    expect([result.code, UNSAFE.test(result.stdout)]).toEqual([0, false])
    expect(result.stdout).toContain('(json): 快讯]0;pwned[2J31m 标题 http')
    expect(JSON.parse(await readFile(configPath, 'utf8')).sources[0].title).toBe('快讯]0;pwned[2J31m 标题')
  })

  it('run and status print a JSON error message quoting the answer with its control characters escaped', async () => {
    const { configPath } = await tempConfig({
      sources: [{ id: 'api', type: 'json', url: `${server.url}/api.json`, fields: { title: 'title', guid: 'id' } }],
    })
    const run = await runCli('run', '--config', configPath)
    const status = await runCli('status', '--json', '--config', configPath)
    expect(run.stderr).toContain('source api failed: not JSON')
    expect(JSON.parse(status.stdout)[0].lastError.code).toBe('E_PARSE_JSON')
    expect([UNSAFE.test(run.stderr), UNSAFE.test(run.stdout), UNSAFE.test(status.stdout)]).toEqual([false, false, false])
  })

  it('run --log-format json keeps each line valid JSON while escaping C1 and bidi characters', async () => {
    const { configPath } = await tempConfig({
      sources: [{ id: 'api', type: 'json', url: `${server.url}/api.json`, fields: { title: 'title', guid: 'id' } }],
    })
    const run = await runCli('run', '--log-format', 'json', '--config', configPath)
    const lines = `${run.stderr}\n${run.stdout}`.split('\n').filter((line) => line !== '')
    expect(UNSAFE.test(run.stderr)).toBe(false)
    expect(lines.map((line) => typeof JSON.parse(line))).toEqual(lines.map(() => 'object'))
    expect(run.stderr).toContain('\\u009b31m\\u202e')
  })

  it('import-opml stores outline titles without control, bidi or zero-width characters, and prints skipped ones escaped', async () => {
    const { dir, configPath } = await tempConfig({})
    const refs = '&#x1b;]0;pwned&#x7;&#x9b;31m&#x202e;&#x200b;'
    await writeFile(
      join(dir, 'reader.opml'),
      `<opml version="2.0"><head/><body>
<outline text="证券${refs}时报">
<outline text="STCN${refs} 要闻" type="rss" xmlUrl="https://stcn.example.com/rss"/>
<outline text="No URL${refs}"/>
</outline>
</body></opml>`,
    )
    const result = await runCli('import-opml', join(dir, 'reader.opml'), '--config', configPath)
    const config = JSON.parse(await readFile(configPath, 'utf8'))
    expect([result.code, UNSAFE.test(result.stderr), UNSAFE.test(result.stdout)]).toEqual([0, false, false])
    expect(result.stderr).toContain('skipped "No URL]0;pwned\\u009b31m\\u202e\u200b": no xmlUrl')
    expect([config.sources[0].title, Object.values(config.categories)]).toEqual(['STCN]0;pwned31m 要闻', [{ title: '证券]0;pwned31m时报' }]])
  })
})
