import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFeedFarm } from '../../bench/feed-farm.js'
import { INLINE_MAX_CHARS } from '../../src/pipeline/create-entry-parser.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { createTempDir, removeTempDir } from '../store/store-test-helpers.js'
import { createCycleConfig, rssWith, runCycleAt } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')
const LATER = new Date('2022-01-12T00:05:00.000Z')

const dirs: string[] = []

async function newDir(): Promise<string> {
  const dir = await createTempDir()
  dirs.push(dir)
  return dir
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => removeTempDir(dir)))
})

/** Every file under `dir`, by path relative to it, with its bytes. */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile())
  const files = await Promise.all(names.map(async (entry) => {
    const path = join(entry.parentPath, entry.name)
    return [path.slice(dir.length + 1), await readFile(path)] as const
  }))
  return new Map(files.sort(([a], [b]) => (a < b ? -1 : 1)))
}

describe('parsing on worker threads', () => {
  it('publishes byte-identical files with every answer parsed on the main thread and on worker threads, on a cold cycle and after a tenth of the feeds changed', async () => {
    const farm = await createFeedFarm({ feeds: 10, itemsPerFeed: 12, latencyMs: 0 })
    try {
      const [inline, threaded] = [await newDir(), await newDir()] as [string, string]
      /** One cycle in `dir`: with no thread for `inline`, every answer on a thread for `threaded`. Returns the threads started. */
      const cycle = async (dir: string, at: Date) => {
        const config = createCycleConfig(
          dir,
          farm.feedUrls.map((url, f) => ({ id: `f${f}`, type: 'feed', url })),
          { output: { dir: 'out', html: true, opml: true }, fetch: { timeoutMs: 60_000, workers: dir === inline ? 0 : 2 } },
        )
        const summary = await runCycleAt(config, at, { parserLimits: { inlineMaxChars: 0 } })
        expect(summary.failures).toEqual([])
        return summary.parseThreads
      }
      farm.reset()
      expect(await cycle(inline, NOW)).toBe(0)
      farm.reset()
      expect(await cycle(threaded, NOW)).toBeGreaterThan(0)
      const cold = await readTree(join(inline, 'out'))
      expect(cold.size).toBeGreaterThan(10)
      expect(await readTree(join(threaded, 'out'))).toEqual(cold)

      farm.advance(0.1, 5)
      expect(await cycle(inline, LATER)).toBe(0)
      expect(await cycle(threaded, LATER)).toBeGreaterThan(0)
      const changed = await readTree(join(inline, 'out'))
      expect(changed).not.toEqual(cold)
      expect(await readTree(join(threaded, 'out'))).toEqual(changed)
    } finally {
      await farm.close()
    }
  }, 120_000)

  describe('starting threads', () => {
    let server: FeedServer

    beforeEach(async () => {
      server = await createFeedServer()
    })

    afterEach(() => server.close())

    const cycleOver = async (routes: Record<string, string>) => {
      Object.assign(server.routes, routes)
      const dir = await newDir()
      const sources = Object.keys(routes).map((path) => ({ id: path.slice(1, -'.xml'.length), type: 'feed', url: `${server.url}${path}` }))
      return runCycleAt(createCycleConfig(dir, sources, { fetch: { timeoutMs: 60_000, workers: 2 } }), NOW)
    }

    it('starts none for a cycle of a few short answers, which the main thread parses', async () => {
      const summary = await cycleOver({ '/a.xml': rssWith('甲', '乙'), '/b.xml': rssWith('丙'), '/c.xml': rssWith('丁', '戊', '己') })

      expect([summary.failures, summary.items.added, summary.parseThreads]).toEqual([[], 6, 0])
    })

    it('starts one for an answer too long to parse on the main thread', async () => {
      const long = rssWith('长').replace('<description>长</description>', `<description>${'长文'.repeat(INLINE_MAX_CHARS)}</description>`)

      const summary = await cycleOver({ '/a.xml': rssWith('甲'), '/long.xml': long })

      expect([summary.failures, summary.items.added, summary.parseThreads]).toEqual([[], 2, 1])
    })
  })

  describe('an answer its thread cannot parse', () => {
    let server: FeedServer

    beforeEach(async () => {
      server = await createFeedServer()
    })

    afterEach(() => server.close())

    it('fails only its own source, naming it and E_THREAD_MEMORY, while the other sources publish', async () => {
      const dir = await newDir()
      // Small elements by the million: the document's tree needs many times its text's 20 MB of
      // heap, taken a little at a time. A single allocation larger than a thread's whole heap (the
      // text itself) would abort the process instead of the thread, a limit of Node's threads.
      const elements = '<x/>'.repeat(5_000)
      const huge = `<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>${Array.from(
        { length: 1_000 },
        (_, i) => `<item><title>item ${i}</title><link>https://news.example.com/big/${i}.html</link>${elements}</item>`,
      ).join('')}</channel></rss>`
      server.routes['/huge.xml'] = huge
      server.routes['/good.xml'] = rssWith('好消息')
      server.routes['/also-good.xml'] = rssWith('也是好消息')
      const config = createCycleConfig(
        dir,
        [
          { id: 'good', type: 'feed', url: `${server.url}/good.xml`, category: 'good' },
          { id: 'huge', type: 'feed', url: `${server.url}/huge.xml`, category: 'huge' },
          { id: 'also-good', type: 'feed', url: `${server.url}/also-good.xml`, category: 'alsogood' },
        ],
        { fetch: { timeoutMs: 60_000, maxBytes: 100 * 1024 * 1024, workers: 2 } },
      )

      const summary = await runCycleAt(config, NOW, { parserLimits: { maxHeapMb: 48 } })

      expect(summary.failures).toEqual([
        {
          sourceId: 'huge',
          code: 'E_THREAD_MEMORY',
          message: `cannot read the answer of ${server.url}/huge.xml: parsing needed more than 48 MB of memory and was stopped`,
        },
      ])
      const titles = async (category: string) =>
        JSON.parse(await readFile(join(dir, 'out', category, 'feed.json'), 'utf8')).items.map((item: { title: string }) => item.title)
      expect([await titles('good'), await titles('alsogood')]).toEqual([['好消息'], ['也是好消息']])
    }, 60_000)
  })
})
