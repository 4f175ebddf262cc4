import { describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../../src/store/postgres/open-postgres-store.js'
import { useTestPostgres } from '../../helpers/postgres.js'
import { createEntry } from '../store-test-helpers.js'

const postgres = await useTestPostgres()
const NOW = new Date('2022-01-11T06:00:00.000Z')

describe.skipIf(postgres === undefined)('PostgreSQL store: category pages', () => {
  const db = postgres as NonNullable<typeof postgres>

  it('answers a page of rows stored before the page text was kept from their summary and content, as it answers newer rows', async () => {
    const schema = await db.createSchema()
    const store = await openPostgresStore({ url: schema.url })
    const excerpted = '央行开展逆回购操作。'.repeat(30)
    await store.upsert(
      [
        createEntry({ key: 'infocode:S1', aliases: ['guid:S1'], infoCode: 'S1', link: 'https://finance.example.com/a/S1.html', summary: '<p>摘要 <b>S1</b></p>', published: '2022-01-11T05:00:00.000Z' }),
        createEntry({ key: 'infocode:C1', aliases: ['guid:C1'], infoCode: 'C1', link: 'https://finance.example.com/a/C1.html', content: `<p>${excerpted}</p>`, published: '2022-01-11T04:00:00.000Z' }),
      ],
      NOW,
    )
    await store.commit()
    const kept = await store.pageItems({ category: 'meirijingjixinwen', limit: 10 })
    // As migration 4 leaves the rows written before it.
    // The counting triggers name their tables without a schema.
    await db.query(`SET search_path TO ${schema.name}`)
    await db.query('UPDATE items SET page_text = NULL')
    await db.query('RESET search_path')
    const older = await store.pageItems({ category: 'meirijingjixinwen', limit: 10 })
    await store.close()

    expect(kept.map((item) => item.summaryText)).toEqual(['摘要 S1', `${excerpted.slice(0, 200)}…`])
    expect(older).toEqual(kept)
  })
})
