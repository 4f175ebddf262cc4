import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PublishResult } from '../../src/publish/publish-outputs.js'
import type { StoredItem } from '../../src/types.js'
import { listFiles } from '../helpers/file-tree.js'
import { createConfig, createItem, createOutputDir, createSeedItem, publishItems, SEED_POST_PATH } from './publish-fixtures.js'

const SEED_POST = '_posts/2022-01-11-NW202201112243496752.md'
/** Within three days of the seed article (2022-01-11 13:35 in Shanghai). */
const SEED_NOW = new Date('2022-01-13T00:00:00.000Z')
/** Three days later: the seed article has left the live window. */
const LATER = new Date('2022-01-16T00:00:00.000Z')
const HAND_WRITTEN = '---\nlayout: post\ntitle: 我的文章\n---\n手写的。\n'

interface PublishPostsOptions {
  items: StoredItem[]
  /** The store's record; undefined for a store written before it existed. */
  jekyllPosts: string[] | undefined
  now?: Date
  jekyllDir?: string
}

function publishPosts(outputDir: string, { items, jekyllPosts, now = SEED_NOW, jekyllDir = '_posts' }: PublishPostsOptions): Promise<PublishResult> {
  const config = createConfig(outputDir, {
    output: { formats: ['json'], jekyll: { dir: jekyllDir, siteUrl: '//finews.withounder.com', liveDays: 3 } },
  })
  return publishItems({ items, config, changedCategories: 'all', now, jekyllPosts })
}

async function writePost(dir: string, file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
  await writeFile(path.join(dir, file), text)
}

describe('Jekyll posts: feedloom removes only what it wrote', () => {
  it('keeps hand-written posts, even one named like a feedloom post, when their window would have closed', async () => {
    const dir = await createOutputDir()
    await writePost(dir, '_posts/2022-01-01-my-trip.md', HAND_WRITTEN)
    await writePost(dir, '_posts/2022-01-01-NW1.md', HAND_WRITTEN)
    const first = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: [] })
    const later = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: first.jekyllPosts, now: LATER })
    expect([later.removed, await listFiles(dir)]).toEqual([
      [SEED_POST],
      ['_posts/2022-01-01-NW1.md', '_posts/2022-01-01-my-trip.md', 'feed.json', 'meirijingjixinwen/feed.json'],
    ])
    expect(await readFile(path.join(dir, '_posts/2022-01-01-NW1.md'), 'utf8')).toBe(HAND_WRITTEN)
  })

  it('records the posts it owns, relative to output.dir, and forgets those it removed', async () => {
    const dir = await createOutputDir()
    const first = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: [] })
    const later = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: first.jekyllPosts, now: LATER })
    expect([first.jekyllPosts, later.jekyllPosts]).toEqual([[SEED_POST], []])
  })

  it('does not overwrite a file it did not write under a live post\'s name, and reports it', async () => {
    const dir = await createOutputDir()
    await writePost(dir, SEED_POST, HAND_WRITTEN)
    const result = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: [] })
    expect([result.failed, result.jekyllPosts]).toEqual([
      [{ file: SEED_POST, reason: `${SEED_POST} was not written by feedloom: left as it is (remove it to let feedloom write this post)` }],
      [],
    ])
    expect(await readFile(path.join(dir, SEED_POST), 'utf8')).toBe(HAND_WRITTEN)
  })

  it('takes over a post that is byte for byte its own although unrecorded (written just before a crash)', async () => {
    const dir = await createOutputDir()
    await mkdir(path.join(dir, '_posts'))
    await copyFile(SEED_POST_PATH, path.join(dir, SEED_POST))
    const result = await publishPosts(dir, { items: [await createSeedItem()], jekyllPosts: [] })
    expect([result.failed, result.jekyllPosts]).toEqual([[], [SEED_POST]])
  })
})

describe('Jekyll posts: a store from before the record', () => {
  it('removes a post that is byte for byte what feedloom renders for a stored item, leaves the others and reports them once', async () => {
    const dir = await createOutputDir()
    await mkdir(path.join(dir, '_posts'))
    await copyFile(SEED_POST_PATH, path.join(dir, SEED_POST))
    await writePost(dir, '_posts/2022-01-10-NW1.md', '---\ntitle: 旧版本\n---\n')
    const items = [await createSeedItem(), createItem('NW1', { published: '2022-01-10T01:00:00.000Z' })]
    const first = await publishPosts(dir, { items, jekyllPosts: undefined, now: LATER })
    const second = await publishPosts(dir, { items, jekyllPosts: first.jekyllPosts, now: LATER })
    expect([first.removed, first.leftAlone, first.jekyllPosts, second.leftAlone]).toEqual([[SEED_POST], ['_posts/2022-01-10-NW1.md'], [], []])
    expect(await listFiles(dir)).toContain('_posts/2022-01-10-NW1.md')
  })
})

describe('Jekyll posts: never outside output.dir', () => {
  /** A folder beside output.dir holding a post feedloom would remove if it could reach it. */
  async function createVictim(): Promise<{ outputDir: string; victim: string; items: StoredItem[] }> {
    const parent = await mkdtemp(path.join(tmpdir(), 'feedloom-victim-'))
    const outputDir = path.join(parent, 'out')
    const victim = path.join(parent, 'victim')
    await mkdir(outputDir)
    await mkdir(victim)
    await copyFile(SEED_POST_PATH, path.join(victim, path.basename(SEED_POST)))
    return { outputDir, victim, items: [await createSeedItem(), createItem('NW1', { published: '2022-01-15T01:00:00.000Z' })] }
  }

  it('refuses jekyll.dir "../victim": writes and removes nothing there and says why', async () => {
    const { outputDir, victim, items } = await createVictim()
    const result = await publishPosts(outputDir, { items, jekyllPosts: ['../victim/2022-01-11-NW202201112243496752.md'], now: LATER, jekyllDir: '../victim' })
    expect(result.failed).toEqual([
      { file: '../victim', reason: `posts folder ${victim} is outside output.dir ${outputDir}: no post written or removed` },
    ])
    expect([result.removed, await listFiles(victim)]).toEqual([[], [path.basename(SEED_POST)]])
  })

  it('refuses a posts folder that a symbolic link leads outside output.dir', async () => {
    const { outputDir, victim, items } = await createVictim()
    await symlink(victim, path.join(outputDir, '_posts'))
    const result = await publishPosts(outputDir, { items, jekyllPosts: [SEED_POST], now: LATER })
    expect(result.failed.map((failure) => failure.reason)).toEqual([
      `posts folder ${path.join(outputDir, '_posts')} leads to ${victim}, outside output.dir ${outputDir}: no post written or removed`,
    ])
    expect(await listFiles(victim)).toEqual([path.basename(SEED_POST)])
  })
})
