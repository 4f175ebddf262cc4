import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer } from '../helpers/feed-server.js'
import { hashTree } from '../helpers/file-tree.js'
import { type CliRun, runCli } from '../helpers/run-cli.js'
import { createChangingFeeds, writeLaneConfig } from './hard-stop-helpers.js'

interface DamagedRun {
  run: CliRun
  /** The files damaged, each with the bytes it was left with. */
  damaged: Map<string, Buffer>
  outBefore: Record<string, string>
  outAfter: Record<string, string>
}

/** Which of the store's files a case damages: the index head, or every items file of the segments. */
type Target = 'head' | 'items'

const dirs: string[] = []

/**
 * One `feedloom run` to make a store, `damage` applied to its target files, then a second run on
 * feeds that have new items (so it would store and publish them if it went on).
 */
async function runOnDamagedStore(name: string, target: Target, damage: (whole: Buffer) => Buffer): Promise<DamagedRun> {
  let generation = 1
  const server = await createFeedServer(createChangingFeeds(2, () => generation))
  try {
    const dir = join(tmpdir(), `feedloom-corrupt-${name}-${process.pid}-${Date.now()}`)
    dirs.push(dir)
    const configPath = await writeLaneConfig(dir, server.url, 2)
    await runCli('run', '--config', configPath)
    const segments = join(dir, 'store/db.segments')
    const files =
      target === 'head'
        ? [join(dir, 'store/db.json')]
        : (await readdir(segments)).filter((file) => file.startsWith('items-')).map((file) => join(segments, file))
    const damaged = new Map<string, Buffer>()
    for (const file of files) {
      const bytes = damage(await readFile(file))
      await writeFile(file, bytes)
      damaged.set(file, bytes)
    }
    const outBefore = await hashTree(join(dir, 'out'))
    generation = 2
    const run = await runCli('run', '--config', configPath)
    return { run, damaged, outBefore, outAfter: await hashTree(join(dir, 'out')) }
  } finally {
    await server.close()
  }
}

/** The file as parsed, changed by `edit`, written back as JSON. */
function editJson<T>(edit: (data: T) => void) {
  return (whole: Buffer): Buffer => {
    const data = JSON.parse(whole.toString('utf8')) as T
    edit(data)
    return Buffer.from(`${JSON.stringify(data, null, 2)}\n`)
  }
}

const editHead = editJson<{ sources: Record<string, Record<string, unknown>> } & Record<string, unknown>>
const editFirstItem = (edit: (item: Record<string, unknown>) => void) => editJson<{ items: Record<string, unknown>[] }>((data) => edit(data.items[0] as Record<string, unknown>))

const cases: [string, Target, (whole: Buffer) => Buffer, RegExp][] = [
  // What a power cut on a file system without data journaling can leave: the first half of the file.
  ['a truncated head', 'head', (whole) => whole.subarray(0, Math.floor(whole.length / 2)), /is not valid JSON/],
  ['truncated items files', 'items', (whole) => whole.subarray(0, Math.floor(whole.length / 2)), /is not valid JSON/],
  ['content: 12345', 'items', editFirstItem((item) => void (item.content = 12345)), /: items\[0\]\.content: .*expected string, received number/],
  ['nextAttemptAt: 12345', 'head', editHead((data) => void ((data.sources['feed-1'] as Record<string, unknown>).nextAttemptAt = 12345)), /: sources\.feed-1\.nextAttemptAt: .*expected string, received number/],
  ['a link that is not a URL', 'items', editFirstItem((item) => void (item.link = 'not a url')), /: items\[0\]\.link: must be an absolute URL/],
  ['a category that climbs out of out/', 'items', editFirstItem((item) => void (item.category = '../../etc')), /: items\[0\]\.category: must be lower-case letters, digits and dashes/],
  [
    'a Jekyll post recorded outside out/ (which would be removed)',
    'head',
    editHead((data) => void (data.publish = { jekyllPosts: ['_posts/../../victim.md'] })),
    /: publish\.jekyllPosts\[0\]: must be a path inside output\.dir/,
  ],
  [
    'a second, empty "segments" key',
    'head',
    (whole) => Buffer.from(whole.toString('utf8').replace('\n  "segments":', '\n  "segments": {},\n  "segments":')),
    /: segments: the key appears twice in one object/,
  ],
  [
    'a duplicate key inside a source state',
    'head',
    (whole) => Buffer.from(whole.toString('utf8').replace('"consecutiveFailures": 0,', '"consecutiveFailures": 0,\n      "consecutiveFailures": 0,')),
    /: sources\.feed-0\.consecutiveFailures: the key appears twice in one object/,
  ],
]

describe.each(cases)('feedloom run on a store with %s', (name, target, damage, reason) => {
  let result: DamagedRun

  beforeAll(async () => {
    result = await runOnDamagedStore(name.replace(/\W+/g, '-'), target, damage)
  })

  it('exits 1 with E_STORE_CORRUPT naming the damaged file and what is wrong, then how to restore it', () => {
    const named = [...result.damaged.keys()].map((file) => file.replace(/[.\\/]/g, '\\$&')).join('|')
    const [error, hint] = result.run.stderr.split('\n')
    expect(result.run.code).toBe(1)
    expect(error).toMatch(new RegExp(`^error: store (segment )?(${named}) .*${reason.source}.*\\(E_STORE_CORRUPT\\)$`))
    expect(hint).toMatch(/^hint: .*feedloom store restore/)
  })

  it('leaves the damaged files byte for byte', async () => {
    for (const [file, bytes] of result.damaged) expect((await readFile(file)).equals(bytes)).toBe(true)
  })

  it('leaves out/ byte for byte', () => {
    expect(result.outAfter).toEqual(result.outBefore)
  })
})

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})
