/**
 * Child script: fills a PostgreSQL store with `--count` stories through feedloom's own store
 * interface (importRecords: multi-row INSERTs of 5,000 items, one commit each), the way
 * `feedloom store copy` fills one, without fetching or parsing. Stories come from a farm seed the
 * measured farm does not use, so none collides with the farm's.
 *
 *   node --import tsx bench/seed-postgres-store.ts --url postgres://… --count 990000 [--from 0]
 *
 * `--from` starts at another story index, so that several processes can fill one store at once.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createStory, OUTLETS, shareLinkOf } from './create-story.js'

const SEED_FARM_SEED = 77
const BATCH_ITEMS = 5_000
const REPO_DIR = join(import.meta.dirname, '..')

interface StoreModule {
  openPostgresStore(options: { url: string }): Promise<{
    importRecords(records: unknown[]): Promise<void>
    commit(): Promise<boolean>
    close(): Promise<void>
  }>
}

const { values } = parseArgs({ options: { url: { type: 'string' }, count: { type: 'string' }, from: { type: 'string', default: '0' } } })
if (values.url === undefined || values.count === undefined) throw new Error('usage: seed-postgres-store.ts --url <postgres://…> --count <n>')
const count = Number(values.count)
const from = Number(values.from)

const distModule = (path: string): Promise<unknown> => import(pathToFileURL(join(REPO_DIR, 'dist', path)).href)
const { openPostgresStore } = (await distModule('store/postgres/open-postgres-store.js')) as StoreModule
const { mintItemId } = (await distModule('store/mint-item-id.js')) as { mintItemId(key: string): string }
const { slugifyCategory } = (await distModule('normalize/category-slug.js')) as { slugifyCategory(name: string): string }
const categoryOf = new Map(OUTLETS.map((outlet) => [outlet, slugifyCategory(outlet)]))

const firstSeen = new Date().toISOString()
const store = await openPostgresStore({ url: values.url })
for (let start = 0; start < count; start += BATCH_ITEMS) {
  const records = Array.from({ length: Math.min(BATCH_ITEMS, count - start) }, (_, offset) => {
    const index = from + start + offset
    const story = createStory(SEED_FARM_SEED, index)
    const outlet = OUTLETS[index % OUTLETS.length] as (typeof OUTLETS)[number]
    const sourceId = `seed-${index % 40}`
    const link = shareLinkOf(story.infoCode)
    const key = `infocode:${story.infoCode}`
    return {
      kind: 'item',
      item: {
        id: mintItemId(key),
        key,
        title: story.title,
        link,
        published: new Date(story.publishedMs).toISOString(),
        firstSeen,
        category: categoryOf.get(outlet),
        categoryTitle: outlet,
        categories: [],
        sources: [sourceId],
        aliases: [key, `link:${link}`, `guid:${sourceId}:${story.infoCode}`],
        infoCode: story.infoCode,
        media: outlet,
        summary: story.digest,
        content: story.html,
      },
    }
  })
  await store.importRecords(records)
  await store.commit()
}
await store.close()
console.log(JSON.stringify({ added: count }))
