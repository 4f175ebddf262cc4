import { createHash } from 'node:crypto'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer } from '../helpers/feed-server.js'
import { type CliRun, runCli } from '../helpers/run-cli.js'
import { createChangingFeeds, writeLaneConfig } from './hard-stop-helpers.js'

async function hashTree(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    hashes[relative(root, path)] = createHash('sha256').update(await readFile(path)).digest('hex')
  }
  return hashes
}

interface DamagedRun {
  run: CliRun
  storePath: string
  damaged: Buffer
  outBefore: Record<string, string>
  outAfter: Record<string, string>
}

const dirs: string[] = []

/**
 * One `feedloom run` to make a store, `damage` applied to its file, then a second run on feeds that
 * have new items (so it would store and publish them if it went on).
 */
async function runOnDamagedStore(name: string, damage: (whole: Buffer) => Buffer): Promise<DamagedRun> {
  let generation = 1
  const server = await createFeedServer(createChangingFeeds(2, () => generation))
  try {
    const dir = join(tmpdir(), `feedloom-corrupt-${name}-${process.pid}-${Date.now()}`)
    dirs.push(dir)
    const configPath = await writeLaneConfig(dir, server.url, 2)
    await runCli('run', '--config', configPath)
    const storePath = join(dir, 'store/db.json')
    const damaged = damage(await readFile(storePath))
    await writeFile(storePath, damaged)
    const outBefore = await hashTree(join(dir, 'out'))
    generation = 2
    const run = await runCli('run', '--config', configPath)
    return { run, storePath, damaged, outBefore, outAfter: await hashTree(join(dir, 'out')) }
  } finally {
    await server.close()
  }
}

/** The store as parsed, changed by `edit`, written back as feedloom lays it out (so the head-only read applies). */
function editStore(edit: (data: { sources: Record<string, Record<string, unknown>>; items: Record<string, unknown>[] }) => void) {
  return (whole: Buffer): Buffer => {
    const data = JSON.parse(whole.toString('utf8'))
    edit(data)
    return Buffer.from(`${JSON.stringify(data, null, 2)}\n`)
  }
}

const cases: [string, (whole: Buffer) => Buffer, RegExp][] = [
  // What a power cut on a file system without data journaling can leave: the first half of the file.
  ['truncated', (whole) => whole.subarray(0, Math.floor(whole.length / 2)), /is not valid JSON/],
  [
    'content: 12345',
    editStore((data) => void ((data.items[0] as Record<string, unknown>).content = 12345)),
    /: items\[0\]\.content: .*expected string, received number/,
  ],
  [
    'nextAttemptAt: 12345',
    editStore((data) => void ((data.sources['feed-1'] as Record<string, unknown>).nextAttemptAt = 12345)),
    /: sources\.feed-1\.nextAttemptAt: .*expected string, received number/,
  ],
  [
    'a link that is not a URL',
    editStore((data) => void ((data.items[3] as Record<string, unknown>).link = 'not a url')),
    /: items\[3\]\.link: must be an absolute URL/,
  ],
  [
    'a category that climbs out of out/',
    editStore((data) => void ((data.items[1] as Record<string, unknown>).category = '../../etc')),
    /: items\[1\]\.category: must be lower-case letters, digits and dashes/,
  ],
  [
    'a Jekyll post recorded outside out/ (which would be removed)',
    editStore((data) => void ((data as Record<string, unknown>).publish = { jekyllPosts: ['_posts/../../victim.md'] })),
    /: publish\.jekyllPosts\[0\]: must be a path inside output\.dir/,
  ],
  [
    'a second, empty "items" key',
    (whole) => Buffer.from(whole.toString('utf8').replace('\n  "tombstones":', '\n  "items": [],\n  "tombstones":')),
    /: items: the key appears twice in one object/,
  ],
  [
    'a duplicate key inside a source state',
    (whole) => Buffer.from(whole.toString('utf8').replace('"consecutiveFailures": 0,', '"consecutiveFailures": 0,\n      "consecutiveFailures": 0,')),
    /: sources\.feed-0\.consecutiveFailures: the key appears twice in one object/,
  ],
]

describe.each(cases)('feedloom run on a store with %s', (name, damage, reason) => {
  let result: DamagedRun

  beforeAll(async () => {
    result = await runOnDamagedStore(name.replace(/\W+/g, '-'), damage)
  })

  it('exits 1 with E_STORE_CORRUPT naming the store file and what is wrong', () => {
    expect(result.run.code).toBe(1)
    expect(result.run.stderr).toMatch(new RegExp(`^error: store ${result.storePath.replace(/[.\\/]/g, '\\$&')} .*${reason.source}.*\\(E_STORE_CORRUPT\\)$`))
  })

  it('leaves the store file byte for byte', async () => {
    expect((await readFile(result.storePath)).equals(result.damaged)).toBe(true)
  })

  it('leaves out/ byte for byte', () => {
    expect(result.outAfter).toEqual(result.outBefore)
  })
})

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})
