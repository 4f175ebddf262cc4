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
})
