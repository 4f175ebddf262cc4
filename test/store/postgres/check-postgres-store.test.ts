import { describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../../src/store/postgres/open-postgres-store.js'
import { useTestPostgres } from '../../helpers/postgres.js'
import { createEntry } from '../store-test-helpers.js'

const postgres = await useTestPostgres()
const T0 = new Date('2022-01-11T06:00:00.000Z')

describe.skipIf(postgres === undefined)('PostgreSQL store check', () => {
  const db = postgres as NonNullable<typeof postgres>

  /** A committed store of one item, and what it is called in SQL. */
  const storeWithOneItem = async () => {
    const schema = await db.createSchema()
    const store = await openPostgresStore({ url: schema.url })
    await store.upsert([createEntry()], T0)
    await store.commit()
    return { schema, store }
  }

  it('reports an alias the identity index lost, and one it gives to an item that does not list it', async () => {
    const { schema, store } = await storeWithOneItem()
    await db.query(`DELETE FROM ${schema.name}.item_identities WHERE identity LIKE 'link:%'`)
    await db.query(`INSERT INTO ${schema.name}.item_identities VALUES ('guid:stray', 'urn:feedloom:NW202201112243496752')`)

    const problems = await store.check()
    await store.close()

    expect(problems).toEqual([
      'item urn:feedloom:NW202201112243496752 lists link:https://finance.example.com/a/202201112243496752.html, which the identity index does not have',
      'the identity index gives guid:stray to item urn:feedloom:NW202201112243496752, which does not list it',
    ])
  })

  it('reports a category whose kept count no longer matches its items', async () => {
    const { schema, store } = await storeWithOneItem()
    await db.query(`UPDATE ${schema.name}.category_counts SET items = 7`)

    const problems = await store.check()
    await store.close()

    expect(problems).toEqual(['category meirijingjixinwen has 1 items (1 published) but category_counts says 7 (1)'])
  })
})
