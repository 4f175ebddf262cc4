import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, open, readdir, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { hashTree } from '../helpers/file-tree.js'
import { type CliRun, runCli } from '../helpers/run-cli.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'
import { checkOutputs, createChangingFeeds, writeLaneConfig } from './hard-stop-helpers.js'

const FEEDS = 3

interface Snapshot {
  store: string | undefined
  outputs: Record<string, string>
}

let server: FeedServer
let root: string
let dir: string
let mounted = false
let generation = 1
let configPath: string
let firstRun: CliRun
let before: Snapshot
let fullRun: CliRun
let afterFull: Snapshot
let bakWholeAfterFull: boolean
let freedRun: CliRun
let storedAfterFreed: number
let noRoomForLock: { run: CliRun; lockLeft: boolean } | undefined

/** Every file under the data folder with its hash, temp files included (they must not stay either). */
async function snapshot(): Promise<Snapshot> {
  const outputs = await hashTree(join(dir, 'out'))
  const storePath = join(dir, 'store/db.json')
  const store = existsSync(storePath) ? createHash('sha256').update(await readFile(storePath)).digest('hex') : undefined
  return { store, outputs }
}

/**
 * Writes until the filesystem refuses with ENOSPC, in smaller and smaller pieces, so not one block
 * is left; then gives back `leaveBytes`: room for the lock file, not for a feed or the store.
 */
async function fillDisk(path: string, leaveBytes: number): Promise<void> {
  const handle = await open(path, 'w')
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x61)
      for (;;) {
        try {
          await handle.write(chunk)
        } catch (err) {
          if ((err as { code?: string }).code === 'ENOSPC') break
          throw err
        }
      }
    }
    const { size } = await handle.stat()
    await handle.truncate(Math.max(0, size - leaveBytes))
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/**
 * Without a tmpfs (no root or no CAP_SYS_ADMIN), write errors are injected through the file system
 * instead: the temp files the store and the outputs are about to be written to are symlinks to
 * /dev/full, which answers every write with ENOSPC.
 */
async function injectFullDevice(): Promise<void> {
  await symlink('/dev/full', join(dir, 'store/.db.json.tmp'))
  const outDir = join(dir, 'out')
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(xml|json|html|opml)$/.test(entry.name)) {
      await symlink('/dev/full', join(entry.parentPath, `.${entry.name}.tmp`))
    }
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'feedloom-disk-full-'))
  dir = join(root, 'data')
  execFileSync('mkdir', ['-p', dir])
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' })
    mounted = true
  } catch {
    mounted = false
  }
  server = await createFeedServer(createChangingFeeds(FEEDS, () => generation))
  configPath = await writeLaneConfig(dir, server.url, FEEDS)
  firstRun = await runCli('run', '--config', configPath)
  generation = 2
  // A second generation once, so that <store>.bak exists and holds a good previous store.
  await runCli('run', '--config', configPath)
  generation = 3
  before = await snapshot()
  if (mounted) {
    await fillDisk(join(dir, 'filler'), 0)
    const run = await runCli('run', '--config', configPath)
    noRoomForLock = { run, lockLeft: existsSync(join(dir, 'store/db.json.lock')) }
    await rm(join(dir, 'filler'))
    await fillDisk(join(dir, 'filler'), 4096)
  } else {
    await injectFullDevice()
  }
  fullRun = await runCli('run', '--config', configPath)
  afterFull = await snapshot()
  bakWholeAfterFull = await readFile(join(dir, 'store/db.json.bak'), 'utf8').then(
    (text) => (JSON.parse(text), true),
    () => false,
  )
  if (mounted) await rm(join(dir, 'filler'))
  else {
    await rm(join(dir, 'store/.db.json.tmp'), { force: true })
    for (const leftover of (await checkOutputs(join(dir, 'out'))).leftovers) await rm(join(dir, 'out', leftover), { force: true })
  }
  freedRun = await runCli('run', '--config', configPath)
  storedAfterFreed = (await readStoreSnapshot(join(dir, 'store/db.json'))).items.length
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (mounted) execFileSync('umount', [dir])
  await rm(root, { recursive: true, force: true })
})

describe(`a cycle on a full disk (${process.getuid?.() === 0 ? 'tmpfs if mountable, else /dev/full' : '/dev/full'})`, () => {
  it('starts from a completed cycle', () => {
    expect(firstRun.code, firstRun.stderr).toBe(0)
  })

  it('exits 1', () => {
    expect(fullRun.code).toBe(1)
  })

  it('reports the outputs it could not replace and the store it could not write', () => {
    expect([/output .* not replaced/.test(fullRun.stderr), /E_STORE_IO/.test(fullRun.stderr)]).toEqual([true, true])
  })

  it("leaves the store's index head byte for byte", () => {
    expect(afterFull.store).toBe(before.store)
  })

  it('leaves every output file byte for byte, and no temp file beside them', () => {
    const outputs = Object.fromEntries(Object.entries(afterFull.outputs).filter(([name]) => mounted || !name.endsWith('.tmp')))
    expect(outputs).toEqual(before.outputs)
  })

  it("leaves the store's previous copy (<store>.bak) whole", () => {
    expect(bakWholeAfterFull).toBe(true)
  })

  it('completes the next cycle once there is space again, storing the new items', () => {
    // createChangingFeeds lists items 0 … generation.
    expect([freedRun.code, storedAfterFreed]).toEqual([0, FEEDS * (generation + 1)])
  })

  it('refuses to start without room for the lock file, with E_STORE_IO and no lock left behind', (context) => {
    if (noRoomForLock === undefined) return context.skip('needs a tmpfs: the /dev/full injection cannot refuse the lock file')
    expect([noRoomForLock.run.code, /E_STORE_IO/.test(noRoomForLock.run.stderr), noRoomForLock.lockLeft]).toEqual([1, true, false])
  })
})
