import Parser from 'rss-parser'
import type { FeedFarm } from './feed-farm.js'
import { checkRun, type Peer, type RunFigures } from './peer.js'

/**
 * The floor: rss-parser, a widely used JavaScript feed parser (feedloom reads feeds with its own
 * XML reader), over the very bytes the farm serves, read from memory in this process — no HTTP,
 * no normalizing, no store, no output: what parsing alone costs in Node. A poller that
 * honours 304s only has to parse the feeds that changed, so that is what the floor parses.
 */
export function createParseFloor(): Peer {
  return {
    name: 'parse-floor',
    async reset() {},
    async run({ farm, changedFeedIds }: { farm: FeedFarm; changedFeedIds?: readonly string[] }): Promise<RunFigures> {
      const bodies = farm.bodies(changedFeedIds)
      const parser = new Parser()
      const startedCpu = process.cpuUsage()
      const startedMs = performance.now()
      let items = 0
      for (const { body } of bodies) items += (await parser.parseString(body.toString('utf8'))).items.length
      const wallMs = performance.now() - startedMs
      const cpu = process.cpuUsage(startedCpu)
      const expected = bodies.length === 0 ? 0 : bodies.reduce((sum, { body }) => sum + countItems(body), 0)
      return checkRun({
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        bytesWritten: 0,
        items,
        expectedItems: expected,
        exitCode: 0,
      })
    },
  }
}

function countItems(body: Buffer): number {
  const text = body.toString('utf8')
  return (text.match(/<item>|<entry>/g) ?? []).length
}
