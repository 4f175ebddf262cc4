import { describe, expect, it } from 'vitest'
import { CAPS } from '../../../src/caps.js'
import { openPostgresStore } from '../../../src/store/postgres/open-postgres-store.js'
import { useTestPostgres } from '../../helpers/postgres.js'

const postgres = await useTestPostgres()
const NOW = new Date('2022-07-01T00:00:00.000Z')
const retention = { maxItemsPerCategory: 500, maxAgeDays: 30, now: NOW }

describe.skipIf(postgres === undefined)('PostgreSQL store: tombstone bounds', () => {
  const db = postgres as NonNullable<typeof postgres>

  it('keeps the newest CAPS.maxTombstones tombstones, and none past CAPS.maxTombstoneAgeDays', async () => {
    const schema = await db.createSchema()
    const store = await openPostgresStore({ url: schema.url })
    // One more than the cap, a minute apart, the newest a day old; and one past the age limit.
    await db.query(
      `INSERT INTO ${schema.name}.tombstones (identity, pruned_at)
       SELECT 'guid:' || lpad(n::text, 6, '0'), $1::timestamptz - interval '1 day' - n * interval '1 minute'
       FROM generate_series(1, $2) AS n`,
      [NOW.toISOString(), CAPS.maxTombstones + 1],
    )
    await db.query(`INSERT INTO ${schema.name}.tombstones VALUES ('guid:ancient', $1::timestamptz - $2 * interval '1 day' - interval '1 day')`, [
      NOW.toISOString(),
      CAPS.maxTombstoneAgeDays,
    ])

    await store.prune(retention)
    const changed = store.hasChanges()
    await store.commit()
    await store.close()
    const reopened = await openPostgresStore({ url: schema.url })
    const kept = await db.query<{ count: number }>(`SELECT count(*)::integer AS count FROM ${schema.name}.tombstones`)
    const gone = [await reopened.isTombstoned(['guid:ancient']), await reopened.isTombstoned([`guid:${String(CAPS.maxTombstones + 1).padStart(6, '0')}`])]
    const newestKept = await reopened.isTombstoned(['guid:000001'])
    await reopened.close()

    expect(changed).toBe(true)
    expect(kept).toEqual([{ count: CAPS.maxTombstones }])
    expect(gone).toEqual([false, false])
    expect(newestKept).toBe(true)
  })

  it('changes nothing while tombstones are within both bounds', async () => {
    const schema = await db.createSchema()
    const store = await openPostgresStore({ url: schema.url })
    await db.query(`INSERT INTO ${schema.name}.tombstones VALUES ('guid:recent', $1::timestamptz - interval '1 day')`, [NOW.toISOString()])

    const result = await store.prune(retention)
    const changed = store.hasChanges()
    await store.close()

    expect([result.pruned, changed]).toEqual([0, false])
  })
})
