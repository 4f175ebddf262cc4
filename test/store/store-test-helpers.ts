import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { openStore, type Store } from '../../src/store/open-store.js'
import type { NormalizedEntry, SourceState, StoredItem } from '../../src/types.js'

export function createEntry(overrides: Partial<NormalizedEntry> = {}): NormalizedEntry {
  return {
    key: 'infocode:NW202201112243496752',
    aliases: ['link:https://finance.example.com/a/202201112243496752.html'],
    sourceId: 'em-list',
    title: '央行开展1000亿元逆回购操作',
    link: 'https://finance.example.com/a/202201112243496752.html',
    content: '<p>央行今日开展1000亿元7天期逆回购操作。</p>',
    published: '2022-01-11T05:35:18.000Z',
    category: 'meirijingjixinwen',
    categoryTitle: '每日经济新闻',
    categories: ['每日经济新闻新闻'],
    infoCode: 'NW202201112243496752',
    media: '每日经济新闻',
    ...overrides,
  }
}

export async function createTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'feedloom-store-'))
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/**
 * A fresh temp folder for each test, removed after it; `path` is a store file in it (not created).
 * Call at the top of a test file: the hooks it registers run around every test in the file.
 */
export function useTempStorePath(): { readonly path: string } {
  const current = { dir: '', path: '' }
  beforeEach(async () => {
    current.dir = await createTempDir()
    current.path = join(current.dir, 'db.json')
  })
  afterEach(async () => {
    await removeTempDir(current.dir)
  })
  return current
}

/** Everything a committed store holds, read through the store (without its lock), items newest first. */
export async function readStoreSnapshot(path: string): Promise<{
  items: StoredItem[]
  sources: Record<string, SourceState>
  tombstones: Record<string, string>
  categorySlugs: Record<string, string>
}> {
  const store = await openStore({ path, lock: false })
  const snapshot = { items: [] as StoredItem[], sources: {} as Record<string, SourceState>, tombstones: {} as Record<string, string>, categorySlugs: {} as Record<string, string> }
  try {
    for await (const batch of store.exportRecords()) {
      for (const record of batch) {
        if (record.kind === 'item') snapshot.items.push(record.item)
        else if (record.kind === 'source') snapshot.sources[record.id] = record.state
        else if (record.kind === 'tombstone') snapshot.tombstones[record.identity] = record.prunedAt
        else if (record.kind === 'category-slug') snapshot.categorySlugs[record.slug] = record.name
      }
    }
  } finally {
    await store.close()
  }
  snapshot.items.sort((a, b) => Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return snapshot
}

export const DAY_MS = 86_400_000

/**
 * useTempStorePath, plus a store opened at `path` before each test and closed after it. A test
 * may replace `store` (to reopen it); the one in place at the end is closed.
 */
export function useOpenStore(): { readonly path: string; store: Store } {
  const current = { dir: '', path: '', store: undefined as unknown as Store }
  beforeEach(async () => {
    current.dir = await createTempDir()
    current.path = join(current.dir, 'db.json')
    current.store = await openStore({ path: current.path })
  })
  afterEach(async () => {
    await current.store.close()
    await removeTempDir(current.dir)
  })
  return current
}
