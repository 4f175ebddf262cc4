import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { FeedFarm } from './feed-farm.js'
import { measureCommand } from './measure-command.js'
import { checkRun, type Peer, type RunFigures } from './peer.js'
import { measureWrites, snapshotFiles } from './snapshot-files.js'

export const REPO_DIR = resolve(import.meta.dirname, '..')
export const FEEDLOOM_BIN = join(REPO_DIR, 'bin', 'feedloom.js')
/** The same CLI unbundled (tsc output): profiled cycles run it, so samples map to src/ files. */
const UNBUNDLED_BIN = join(REPO_DIR, 'dist', 'cli', 'bin.js')

export interface FeedloomPeerOptions {
  /** Folder holding feeds.config.json, store/ and out/; emptied by reset(). */
  dir: string
  concurrency: number
  perHost: number
  /** Items already in the store before reset() (big-store case): added to the expected count. */
  seededItems?: number
  /** Keep the store in this PostgreSQL database (`store.url`) instead of store/db.json. */
  storeUrl?: string
  /** Counts the items of a store at `storeUrl` (the bench's own connection). */
  countPostgresItems?: () => Promise<number | undefined>
  /** `output.itemsPerFeed`: large enough publishes every item in every feed (the heavy-publish case). @default 50 */
  itemsPerFeed?: number
}

export interface FeedloomPeer extends Peer {
  readonly dir: string
  readonly configPath: string
  readonly storePath: string
  /** Sets what the store already holds (a seeded store) without emptying it. */
  adoptStore(items: number): void
}

/**
 * Items the store holds, from its index head (the item count of every segment) or, for a store
 * written before segments, its one file; undefined when the file is not in a shape we know.
 */
export async function countStoredItems(storePath: string): Promise<number | undefined> {
  try {
    const data = JSON.parse(await readFile(storePath, 'utf8')) as { items?: unknown; segments?: Record<string, { count?: unknown }> }
    if (data.segments !== undefined) return Object.values(data.segments).reduce((sum, ref) => sum + Number(ref.count), 0)
    return Array.isArray(data.items) ? data.items.length : undefined
  } catch {
    return undefined
  }
}

/** The config's site.timezone: its cron schedule ticks in it. */
export const SITE_TIMEZONE = 'Asia/Shanghai'

/** Writes the config feedloom runs with against `feedUrls`; `extra` top-level keys (`queue`, `schedule`) for workers. */
export async function writeFeedloomConfig(
  dir: string,
  feedUrls: readonly string[],
  fetch: { concurrency: number; perHost: number; itemsPerFeed?: number },
  storeUrl?: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const config = {
    site: { title: '金融消息 bench', url: 'https://news.example.com/', language: 'zh-CN', timezone: SITE_TIMEZONE },
    // Retention must not prune what the farm served years ago: the farm's dates are in 2022.
    store: { ...(storeUrl === undefined ? { path: 'store/db.json' } : { url: storeUrl }), maxItemsPerCategory: 1_000_000, maxAgeDays: 36_500 },
    output: { dir: 'out', formats: ['rss', 'atom', 'json'], itemsPerFeed: fetch.itemsPerFeed ?? 50 },
    fetch: { concurrency: fetch.concurrency, perHost: fetch.perHost, timeoutMs: 30_000 },
    ...extra,
    // No category: each item's category is the pinyin of its media outlet (the feed title).
    sources: feedUrls.map((url) => ({ id: /\/(f\d+)\.\w+$/.exec(url)?.[1] ?? url, type: 'feed', url })),
  }
  const configPath = join(dir, 'feeds.config.json')
  await mkdir(dir, { recursive: true })
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`)
  return configPath
}

export function createFeedloomPeer(options: FeedloomPeerOptions): FeedloomPeer {
  const configPath = join(options.dir, 'feeds.config.json')
  const storePath = join(options.dir, 'store', 'db.json')
  let seededItems = options.seededItems ?? 0
  return {
    name: 'feedloom',
    dir: options.dir,
    configPath,
    storePath,
    adoptStore(items) {
      seededItems = items
    },
    async reset(farm: FeedFarm) {
      await rm(options.dir, { recursive: true, force: true })
      await writeFeedloomConfig(options.dir, farm.feedUrls, options, options.storeUrl)
      seededItems = 0
    },
    async run({ farm, cpuProfileDir }): Promise<RunFigures> {
      const before = await snapshotFiles(options.dir)
      const bin = cpuProfileDir === undefined ? [FEEDLOOM_BIN] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, UNBUNDLED_BIN]
      const figures = await measureCommand({
        command: process.execPath,
        args: [...bin, 'run', '--quiet', '--config', configPath],
        cwd: options.dir,
      })
      const after = await snapshotFiles(options.dir)
      const written = measureWrites(before, after)
      const storeWritten = measureWrites(filterUnder(before, 'store'), filterUnder(after, 'store'))
      // Read after the clock stopped: the store file is the ground truth of what feedloom holds.
      const items = options.countPostgresItems === undefined ? await countStoredItems(storePath) : await options.countPostgresItems()
      const result = checkRun({
        wallMs: figures.wallMs,
        cpuMs: figures.cpuMs,
        maxRssKb: figures.maxRssKb,
        bytesWritten: written.bytes,
        storeBytesWritten: storeWritten.bytes,
        items,
        expectedItems: seededItems + farm.expected().distinctStories,
        exitCode: figures.exitCode,
      })
      if (figures.exitCode !== 0) {
        return { ...result, problem: `${result.problem}: ${figures.stderr.trim().split('\n').slice(-3).join(' | ')}` }
      }
      return result
    },
  }

  function filterUnder(snapshot: Awaited<ReturnType<typeof snapshotFiles>>, sub: string) {
    const prefix = join(options.dir, sub) + '/'
    return new Map([...snapshot].filter(([path]) => path.startsWith(prefix)))
  }
}
