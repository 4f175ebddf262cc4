/**
 * Child script: fills a feedloom store with `--count` stories through feedloom's own store
 * interface (dist/store/open-store.js: upsert and commit, a batch at a time so that a million
 * stories never sit in memory at once), the way a cycle stores normalized entries, without
 * fetching or parsing them first. Stories come from a farm seed the measured farm does not use,
 * so none collides with the farm's.
 *
 *   node --import tsx bench/seed-store.ts --store <path> --count 92308
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createStory, OUTLETS, shareLinkOf } from './create-story.js'

const SEED_FARM_SEED = 77
const REPO_DIR = join(import.meta.dirname, '..')

interface StoreModule {
  openStore(options: { path: string }): Promise<{
    upsert(entries: unknown[], now: Date): Promise<{ added: unknown[] }>
    commit(): Promise<boolean>
    close(): Promise<void>
  }>
}

const BATCH = 20_000

const { values } = parseArgs({ options: { store: { type: 'string' }, count: { type: 'string' } } })
if (values.store === undefined || values.count === undefined) throw new Error('usage: seed-store.ts --store <path> --count <n>')
const count = Number(values.count)

const distModule = (path: string): Promise<unknown> => import(pathToFileURL(join(REPO_DIR, 'dist', path)).href)
const { openStore } = (await distModule('store/open-store.js')) as StoreModule
const { slugifyCategory } = (await distModule('normalize/category-slug.js')) as { slugifyCategory(name: string): string }

function entryOf(index: number) {
  const story = createStory(SEED_FARM_SEED, index)
  const outlet = OUTLETS[index % OUTLETS.length] as string
  const sourceId = `seed-${index % 40}`
  const link = shareLinkOf(story.infoCode)
  return {
    key: `infocode:${story.infoCode}`,
    aliases: [`link:${link}`, `guid:${sourceId}:${story.infoCode}`],
    sourceId,
    title: story.title,
    link,
    content: story.html,
    summary: story.digest,
    published: new Date(story.publishedMs).toISOString(),
    category: slugifyCategory(outlet),
    categoryTitle: outlet,
    categories: [],
    infoCode: story.infoCode,
    media: outlet,
  }
}

const store = await openStore({ path: values.store })
let added = 0
for (let start = 0; start < count; start += BATCH) {
  const entries = Array.from({ length: Math.min(BATCH, count - start) }, (_, offset) => entryOf(start + offset))
  added += (await store.upsert(entries, new Date())).added.length
  await store.commit()
}
await store.close()
console.log(JSON.stringify({ added }))
