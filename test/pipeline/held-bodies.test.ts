import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFeedFarm, type FeedFarm } from '../../bench/feed-farm.js'
import type { Config } from '../../src/config/config-schema.js'
import { listFiles, mtimeTree, readTree } from '../helpers/file-tree.js'
import { createTempDir, removeTempDir } from '../store/store-test-helpers.js'
import { createCycleConfig, runCycleAt } from './cycle-test-helpers.js'

const NOW = new Date('2022-01-12T00:00:00.000Z')
const LATER = new Date('2022-01-12T00:05:00.000Z')

let farm: FeedFarm
const dirs: string[] = []

beforeAll(async () => {
  // Stories shared between feeds: later sources merge into items whose bodies were written ahead.
  farm = await createFeedFarm({ feeds: 8, itemsPerFeed: 12, latencyMs: 0, sharedFraction: 0.5 })
})

afterAll(async () => {
  await farm.close()
  await Promise.all(dirs.map((dir) => removeTempDir(dir)))
})

beforeEach(() => farm.reset())

async function farmConfig(): Promise<Readonly<Config>> {
  const dir = await createTempDir()
  dirs.push(dir)
  return createCycleConfig(dir, farm.feedUrls.map((url, f) => ({ id: `f${f}`, type: 'feed', url })), {
    output: { dir: 'out', html: true, opml: true },
    fetch: { timeoutMs: 60_000, workers: 0 },
  })
}

const storeDir = (config: Readonly<Config>): string => join(config.store.path, '..')

describe('a cycle whose store holds few bodies in memory', () => {
  it('publishes the same files and commits the same store as one holding every body, cold and after a tenth of the feeds changed', async () => {
    const [all, one] = [await farmConfig(), await farmConfig()]
    await runCycleAt(all, NOW)
    farm.reset()
    await runCycleAt(one, NOW, { heldBodies: 1 })
    const coldOut = await readTree(all.output.dir)
    expect(coldOut.size).toBeGreaterThan(10)
    expect(await readTree(one.output.dir)).toEqual(coldOut)
    expect(await readTree(storeDir(one))).toEqual(await readTree(storeDir(all)))

    farm.advance(0.1, 5)
    await runCycleAt(all, LATER)
    await runCycleAt(one, LATER, { heldBodies: 1 })
    expect(await readTree(one.output.dir)).toEqual(await readTree(all.output.dir))
    const store = await readTree(storeDir(one))
    expect(store).toEqual(await readTree(storeDir(all)))
    expect([...store.keys()].filter((name) => name.includes('spill'))).toEqual([])
  })

  it('writes nothing in the store folder in a dry run, not even bodies ahead of the commit', async () => {
    const config = await farmConfig()
    await runCycleAt(config, NOW)
    // The lock file comes and goes beside the head; the segments folder is the store's own.
    const segments = join(storeDir(config), 'db.segments')
    const before = { files: await mtimeTree(storeDir(config)), segments: (await stat(segments)).mtimeMs }

    farm.advance(0.5, 12)
    const summary = await runCycleAt(config, LATER, { dryRun: true, heldBodies: 1 })

    expect(summary.dryRun?.storeChanged).toBe(true)
    expect(await mtimeTree(storeDir(config))).toEqual(before.files)
    // A file written and removed again still changes its folder's time.
    expect((await stat(segments)).mtimeMs).toBe(before.segments)
    expect(await listFiles(storeDir(config))).toEqual(Object.keys(before.files))
  })
})
