// Run by held-bodies.test.ts as a separate process: opens the lowdb store at argv[2] holding one
// body in memory, upserts argv[3] entries (infoCodes NEW0…, an hour apart), then says so and waits
// to be killed before its commit.
import { openStore } from '../../src/store/open-store.js'
import { createEntry } from './store-test-helpers.js'

const [path, count] = process.argv.slice(2)
const store = await openStore({ path: path as string, heldBodies: 1 })
const entries = Array.from({ length: Number(count) }, (_, index) => {
  const code = `NEW${index}`
  return createEntry({ key: `infocode:${code}`, aliases: [`guid:${code}`], infoCode: code, title: code, published: new Date(Date.UTC(2022, 0, 10, index)).toISOString() })
})
await store.upsert(entries, new Date('2022-01-11T06:00:00.000Z'))
process.stdout.write('written ahead\n')
await new Promise(() => undefined)
