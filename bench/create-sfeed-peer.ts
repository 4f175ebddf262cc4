import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FeedFarm } from './feed-farm.js'
import { measureCommand } from './measure-command.js'
import { checkRun, type Peer, type RunFigures } from './peer.js'
import { measureWrites, snapshotFiles } from './snapshot-files.js'

export interface SfeedPeerOptions {
  /** Its own HOME, sfeedrc and feeds/; emptied by reset(). */
  dir: string
  /** `maxjobs` */
  concurrency: number
}

/**
 * sfeed (Debian) as shipped: `sfeed_update sfeedrc`, which fetches with curl and merges each
 * feed's TSV file. Its stock fetch() sends no conditional GET and asks for no gzip, so an
 * unchanged farm is fully downloaded, parsed and merged again.
 */
export function createSfeedPeer(options: SfeedPeerOptions): Peer {
  const { dir } = options
  const rcPath = join(dir, 'sfeedrc')
  const feedsDir = join(dir, 'feeds')
  return {
    name: 'sfeed',
    async reset(farm: FeedFarm) {
      await rm(dir, { recursive: true, force: true })
      await mkdir(feedsDir, { recursive: true })
      const lines = farm.feedUrls.map((url) => `\tfeed "${/\/(f\d+)\.\w+$/.exec(url)?.[1] ?? url}" "${url}"`)
      await writeFile(rcPath, [`sfeedpath="${feedsDir}"`, `maxjobs=${options.concurrency}`, 'feeds() {', ...lines, '}', ''].join('\n'))
    },
    async run({ farm }): Promise<RunFigures> {
      const before = await snapshotFiles(feedsDir)
      const figures = await measureCommand({
        command: 'sfeed_update',
        args: [rcPath],
        cwd: dir,
        env: { ...process.env, HOME: dir },
      })
      const after = await snapshotFiles(feedsDir)
      return checkRun({
        wallMs: figures.wallMs,
        cpuMs: figures.cpuMs,
        maxRssKb: figures.maxRssKb,
        bytesWritten: measureWrites(before, after).bytes,
        items: await countLines(feedsDir),
        expectedItems: farm.expected().feedEntries,
        exitCode: figures.exitCode,
      })
    },
  }
}

/** sfeed keeps one TSV line per item per feed. */
async function countLines(feedsDir: string): Promise<number> {
  let lines = 0
  for (const name of await readdir(feedsDir)) {
    const text = await readFile(join(feedsDir, name), 'utf8')
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
  }
  return lines
}
