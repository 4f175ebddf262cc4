// Run by concurrent-upserts.test.ts as a separate process: opens the PostgreSQL store at argv[2],
// waits for a line on stdin, then upserts `count` entries (infoCodes NW0…) from source argv[3] and
// commits, so that several processes write the same items at once.
import { createInterface } from 'node:readline'
import { openPostgresStore } from '../../../src/store/postgres/open-postgres-store.js'
import { createEntry } from '../store-test-helpers.js'

const [url, sourceId, count] = process.argv.slice(2)
const store = await openPostgresStore({ url: url as string })
const entries = Array.from({ length: Number(count) }, (_, index) => {
  const code = `NW${String(index).padStart(6, '0')}`
  return createEntry({ key: `infocode:${code}`, aliases: [`guid:${sourceId}-${code}`], infoCode: code, sourceId, title: `${sourceId} ${code}` })
})
process.stdout.write('ready\n')
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve))
const result = await store.upsert(entries, new Date('2022-01-11T06:00:00.000Z'))
await store.commit()
await store.close()
process.stdout.write(`${JSON.stringify({ added: result.added.length, merged: result.merged })}\n`)
process.exit(0)
