import { describe } from 'vitest'
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js'
import { useTestPostgres } from '../helpers/postgres.js'
import { testStore } from './store-contract.js'

const postgres = await useTestPostgres()

describe.skipIf(postgres === undefined)('PostgreSQL store', () => {
  const db = postgres as NonNullable<typeof postgres>
  testStore('PostgreSQL', async () => {
    const schema = await db.createSchema()
    return {
      open: (options) => openPostgresStore({ url: schema.url, filter: options?.filter, sourceOrder: options?.sourceOrder }),
      destroy: () => schema.drop(),
    }
  })
})
