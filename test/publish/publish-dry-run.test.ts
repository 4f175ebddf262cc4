import { describe, expect, it } from 'vitest'
import { feedUrlsOf } from '../../src/publish/plan-feeds.js'
import { publishStatus } from '../../src/publish/publish-status.js'
import type { SourceHealth } from '../../src/types.js'
import { listFiles } from '../helpers/file-tree.js'
import { ALL_FILES, createConfig, createItem, createItems, createOutputDir, fileIdentities, publishItems, readOutput } from './publish-fixtures.js'

const HEALTH: SourceHealth[] = [
  { id: 'nbd', state: 'ok', url: 'https://nbd.example.com/rss.xml', lastSuccessAt: '2022-01-11T00:00:00.000Z', consecutiveFailures: 0, itemsSeen: 3, alert: false },
]

describe('publishOutputs with dryRun', () => {
  it('lists every file it would write and writes none', async () => {
    const dir = await createOutputDir()

    const result = await publishItems({ items: createItems(), config: createConfig(dir), changedCategories: 'all', dryRun: true })

    expect(result.written).toEqual(ALL_FILES)
    expect(await listFiles(dir)).toEqual([])
  })

  it('lists only the files whose bytes would change and touches none of them', async () => {
    const dir = await createOutputDir()
    const config = createConfig(dir)
    await publishItems({ items: createItems(), config, changedCategories: 'all' })
    const before = await fileIdentities(dir, ALL_FILES)
    const items = [...createItems(), createItem('NW202201119999999999', { category: 'zhengquanshibao' })]

    const result = await publishItems({ items, config, changedCategories: new Set(['zhengquanshibao']), dryRun: true })

    expect(result.written).toEqual(ALL_FILES.filter((file) => !file.startsWith('meirijingjixinwen/')))
    expect(await fileIdentities(dir, ALL_FILES)).toEqual(before)
  })
})

describe('publishStatus', () => {
  it('writes status.json with the health, leaving out what moves with every new item', async () => {
    const dir = await createOutputDir()

    const result = await publishStatus({ health: HEALTH, outputDir: dir, alertAfterHours: 24 })

    expect(result.written).toEqual(['status.json'])
    expect(JSON.parse(await readOutput(dir, 'status.json'))).toEqual({
      alertAfterHours: 24,
      sources: [{ id: 'nbd', state: 'ok', url: 'https://nbd.example.com/rss.xml', consecutiveFailures: 0, alert: false }],
    })
  })

  it('leaves status.json alone when only the last success moved', async () => {
    const dir = await createOutputDir()
    await publishStatus({ health: HEALTH, outputDir: dir, alertAfterHours: 24 })
    const before = await fileIdentities(dir, ['status.json'])

    const moved = HEALTH.map((one) => ({ ...one, lastSuccessAt: '2022-01-12T00:00:00.000Z', itemsSeen: 5 }))
    const result = await publishStatus({ health: moved, outputDir: dir, alertAfterHours: 24 })

    expect(result).toEqual({ written: [], unchanged: 1, failed: [], removed: [] })
    expect(await fileIdentities(dir, ['status.json'])).toEqual(before)
  })
})

describe('feedUrlsOf', () => {
  it('gives the public URL of each feed file among written paths, ignoring pages and status', () => {
    const config = createConfig('/tmp/out', { siteUrl: 'https://news.example.com/sub' })

    const urls = feedUrlsOf(['rss.xml', 'index.html', 'status.json', 'zhengquanshibao/atom.xml', 'feeds.opml'], config)

    expect(urls).toEqual(['https://news.example.com/sub/rss.xml', 'https://news.example.com/sub/zhengquanshibao/atom.xml'])
  })
})
