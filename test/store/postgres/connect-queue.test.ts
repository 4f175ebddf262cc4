import { createServer, connect, type Server } from 'node:net'
import { describe, expect, it } from 'vitest'
import { connectQueue, type JobQueue } from '../../../src/store/postgres/connect-queue.js'
import { useTestPostgres } from '../../helpers/postgres.js'

const postgres = await useTestPostgres()

describe.skipIf(postgres === undefined)('PostgreSQL job queue', () => {
  const db = postgres as NonNullable<typeof postgres>

  it('opens for six processes starting at once on a fresh database', async () => {
    const { url } = await db.createSchema()
    const opened = await Promise.allSettled(Array.from({ length: 6 }, () => connectQueue({ url, leaseSeconds: 60, maintain: false })))
    const queues = opened.flatMap((one) => (one.status === 'fulfilled' ? [one.value] : []))
    try {
      expect(opened.flatMap((one) => (one.status === 'rejected' ? [(one.reason as Error).message] : []))).toEqual([])
      expect((await queues[0]!.describe()).queue).toEqual({ due: 0, running: 0, failed: 0, idle: true })
    } finally {
      await Promise.all(queues.map((queue: JobQueue) => queue.close()))
    }
  })

  it('queues 2,000 sources in a few round trips, each source once however many workers queue it', async () => {
    const { url } = await db.createSchema()
    const proxy = await countingProxy(new URL(url))
    const queues = await Promise.all([proxy.url, proxy.url, url].map((one) => connectQueue({ url: one, leaseSeconds: 60, maintain: false })))
    const sourceIds = Array.from({ length: 2000 }, (_, index) => `s${index}`)
    try {
      proxy.requests = 0
      const added = await Promise.all(queues.map((queue) => queue.enqueueSources(sourceIds, 300)))

      // One statement per source would be 2,000 requests from each of the two proxied workers.
      expect(proxy.requests).toBeLessThan(100)
      expect(added.reduce((sum, one) => sum + one, 0)).toBe(2000)
      expect((await queues[0]!.describe()).queue).toMatchObject({ due: 2000 })
    } finally {
      await Promise.all(queues.map((queue) => queue.close()))
      proxy.server.close()
    }
  }, 60_000)
})

/** A TCP proxy to the database that counts the chunks clients send: each round trip sends at least one. */
async function countingProxy(target: URL): Promise<{ url: string; server: Server; requests: number }> {
  const proxy = { url: '', server: createServer(), requests: 0 }
  proxy.server.on('connection', (client) => {
    const upstream = connect(Number(target.port), target.hostname)
    client.on('data', () => proxy.requests++)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String((proxy.server.address() as { port: number }).port)
  proxy.url = url.toString()
  return proxy
}
