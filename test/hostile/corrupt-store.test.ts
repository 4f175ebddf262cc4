import { createHash } from 'node:crypto'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { type CliRun, runCli } from '../helpers/run-cli.js'
import { createChangingFeeds, writeLaneConfig } from './hard-stop-helpers.js'

let server: FeedServer
let dir: string
let generation = 1
let truncated: Buffer
let run: CliRun
let outBefore: Record<string, string>
let outAfter: Record<string, string>

async function hashTree(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    hashes[relative(root, path)] = createHash('sha256').update(await readFile(path)).digest('hex')
  }
  return hashes
}

beforeAll(async () => {
  server = await createFeedServer(createChangingFeeds(2, () => generation))
  dir = join(tmpdir(), `feedloom-corrupt-${process.pid}-${Date.now()}`)
  const configPath = await writeLaneConfig(dir, server.url, 2)
  await runCli('run', '--config', configPath)
  const storePath = join(dir, 'store/db.json')
  const whole = await readFile(storePath)
  // What a power cut on a file system without data journaling can leave: the first half of the file.
  truncated = whole.subarray(0, Math.floor(whole.length / 2))
  await writeFile(storePath, truncated)
  outBefore = await hashTree(join(dir, 'out'))
  generation = 2
  run = await runCli('run', '--config', configPath)
  outAfter = await hashTree(join(dir, 'out'))
})

afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('feedloom run on a truncated store', () => {
  it('exits 1 with E_STORE_CORRUPT naming the store file', () => {
    expect([run.code, run.stderr]).toEqual([1, expect.stringMatching(/db\.json[\s\S]*E_STORE_CORRUPT/)])
  })

  it('leaves the store file byte for byte', async () => {
    expect((await readFile(join(dir, 'store/db.json'))).equals(truncated)).toBe(true)
  })

  it('leaves out/ byte for byte', () => {
    expect(outAfter).toEqual(outBefore)
  })
})
