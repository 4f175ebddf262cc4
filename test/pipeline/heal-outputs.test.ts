import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useConfiguredServer } from '../helpers/run-cli.js'
import { rssWith } from './cycle-test-helpers.js'

const setup = useConfiguredServer(
  () => ({ '/feed.xml': rssWith('一') }),
  (url) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36_500 },
    output: { dir: 'out', html: false, opml: false, formats: ['rss'] },
    sources: [{ id: 'nbd', type: 'feed', url: `${url}/feed.xml`, category: 'meirijingjixinwen' }],
  }),
)

const categoryDir = () => join(setup.dir, 'out', 'meirijingjixinwen')

/** A cycle whose new item cannot reach out/meirijingjixinwen/: a file stands where its directory goes. */
async function runWithBlockedCategory(): Promise<void> {
  await runCli('run', '--config', setup.configPath)
  setup.server.routes['/feed.xml'] = rssWith('一', '二')
  await rm(categoryDir(), { recursive: true })
  await writeFile(categoryDir(), 'not a directory')
  await runCli('run', '--config', setup.configPath)
}

describe('outputs that heal', () => {
  it('shows in status an output a cycle could not write', async () => {
    await runWithBlockedCategory()

    const status = await runCli('status', '--config', setup.configPath)

    expect(status.stdout).toMatch(/^output meirijingjixinwen\/rss\.xml: failing since just now: cannot write .*; the next cycle writes it again$/m)
  })

  it('writes the output on the next cycle although nothing new arrived, and status clears', async () => {
    await runWithBlockedCategory()
    await rm(categoryDir())

    const run = await runCli('run', '--config', setup.configPath)
    const status = await runCli('status', '--config', setup.configPath)

    expect(run.code).toBe(0)
    expect(await readFile(join(categoryDir(), 'rss.xml'), 'utf8')).toContain('<title><![CDATA[二]]></title>')
    expect(status.stdout).not.toContain('output ')
  })

  it('keeps the store byte for byte while the same output keeps failing the same way', async () => {
    await runWithBlockedCategory()
    const storePath = join(setup.dir, 'store', 'db.json')
    const before = await readFile(storePath)

    await runCli('run', '--config', setup.configPath)

    expect((await readFile(storePath)).equals(before)).toBe(true)
  })
})
