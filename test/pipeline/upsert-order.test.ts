import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readTree } from '../helpers/file-tree.js'
import { createTempDir, removeTempDir } from '../store/store-test-helpers.js'
import { createCycleConfig, runCycleAt, useCycleServer } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')

/** One story both sources carry (same link), each with its own title; only the second has a body. */
function feedOf(title: string, content?: string): string {
  const body = content === undefined ? '' : `<content:encoded><![CDATA[${content}]]></content:encoded>`
  const item = `<item><title>${title}</title><link>https://news.example.com/a/shared.html</link><pubDate>Tue, 11 Jan 2022 08:00:00 GMT</pubDate>${body}</item>`
  const own = `<item><title>${title} own</title><link>https://news.example.com/a/${encodeURIComponent(title)}.html</link><pubDate>Tue, 11 Jan 2022 07:00:00 GMT</pubDate><description>${title} 正文</description></item>`
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title><link>https://news.example.com/</link>${item}${own}</channel></rss>`
}

describe('sources upserted as they finish', () => {
  const context = useCycleServer()
  let inOrderDir: string

  beforeEach(async () => {
    inOrderDir = await createTempDir()
  })

  afterEach(() => removeTempDir(inOrderDir))

  it('publishes the same files when the first source in the config finishes last as when the sources finish in order', async () => {
    const { server, dir } = context
    let firstDelayMs = 0
    server.routes['/first.xml'] = (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedOf('第一')), firstDelayMs)
    }
    server.routes['/second.xml'] = feedOf('第二', '<p>正文只在第二个来源</p>')
    const cycle = async (cycleDir: string): Promise<string[]> => {
      const sources = [
        { id: 'first', type: 'feed', url: `${server.url}/first.xml`, category: 'yi' },
        { id: 'second', type: 'feed', url: `${server.url}/second.xml`, category: 'er' },
      ]
      const config = createCycleConfig(cycleDir, sources, { output: { dir: 'out', html: true, opml: true }, fetch: { timeoutMs: 5000, workers: 0 } })
      const finished: string[] = []
      const summary = await runCycleAt(config, NOW, { onSourceDone: (event) => finished.push(event.sourceId) })
      expect(summary.failures).toEqual([])
      return finished
    }

    firstDelayMs = 400
    expect(await cycle(dir)).toEqual(['second', 'first'])
    firstDelayMs = 0
    await cycle(inOrderDir)

    const reversed = await readTree(join(dir, 'out'))
    expect(reversed).toEqual(await readTree(join(inOrderDir, 'out')))
    // The first source in the config describes the shared story; the second only fills in its body.
    const feed = reversed.get('rss.xml')?.toString('utf8') ?? ''
    expect(feed).toContain('<title><![CDATA[第一]]></title>')
    expect(feed).not.toContain('<title><![CDATA[第二]]></title>')
    expect(feed).toContain('正文只在第二个来源')
    expect(reversed.get('atom.xml')?.toString('utf8')).not.toContain('<updated>2022-01-12T00:00:00.000Z</updated>')
  })
})
