import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SourceConfig } from '../../src/config/config-schema.js'
import { createBodyJudge } from '../../src/pipeline/create-body-judge.js'
import type { BodyQuestion } from '../../src/pipeline/normalize-entries.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { createEntry, useTempStorePath } from '../store/store-test-helpers.js'

const T0 = new Date('2022-01-11T06:00:00.000Z')
const KEY = 'infocode:NW202201112243496752'
const LINK = 'link:https://finance.example.com/a/202201112243496752.html'

const feed = (id: string, extra: Partial<SourceConfig> = {}): SourceConfig =>
  ({ id, type: 'feed', url: `https://${id}.example.com/rss.xml`, fullText: false, ...extra }) as SourceConfig

const SOURCES = [feed('nbd'), feed('em-list'), feed('stcn'), feed('full', { fullText: true } as Partial<SourceConfig>)]

const question = (overrides: Partial<BodyQuestion> = {}): BodyQuestion => ({ key: KEY, identities: [KEY, LINK], contentHash: 'hash-1', ...overrides })

const storePath = useTempStorePath()
let store: Store

beforeEach(async () => {
  store = await openStore({ path: storePath.path, lock: false })
})

afterEach(() => store.close())

/** Which of `questions` source `sourceId` may leave unsanitized. */
async function skips(sourceId: string, questions: BodyQuestion[], judge = createBodyJudge(store, SOURCES)) {
  const source = SOURCES.find((candidate) => candidate.id === sourceId) as SourceConfig
  return judge.skipBodiesOf(source)(questions)
}

describe('createBodyJudge', () => {
  describe('an item the store holds, first from em-list', () => {
    beforeEach(async () => {
      await store.upsert([createEntry({ contentHash: 'hash-1' })], T0)
    })

    it('skips the bodies its first source sends again unchanged, and sanitizes changed ones', async () => {
      expect(await skips('em-list', [question(), question({ contentHash: 'hash-2' })])).toEqual([true, false])
    })

    it('skips the bodies of a copy from another source, and of an entry without content', async () => {
      expect(await skips('nbd', [question({ contentHash: 'other' })])).toEqual([true])
      expect(await skips('em-list', [question({ contentHash: undefined })])).toEqual([true])
    })
  })

  it('sanitizes the first source again when the stored item has no content to keep', async () => {
    await store.upsert([createEntry({ content: undefined })], T0)

    expect(await skips('nbd', [question()])).toEqual([false])
  })

  it('sanitizes a new item, and skips a copy of it only in sources after the one that brought it with content this cycle', async () => {
    const judge = createBodyJudge(store, SOURCES)

    expect(await skips('em-list', [question()], judge)).toEqual([false])
    judge.remember('em-list', [createEntry()])

    expect(await skips('nbd', [question()], judge)).toEqual([false])
    expect(await skips('stcn', [question({ contentHash: 'other' })], judge)).toEqual([true])
    expect(await skips('full', [question({ contentHash: 'other' })], judge)).toEqual([false])
  })

  it('sanitizes an entry whose key is new but whose alias the store knows: upsert merges it into that item', async () => {
    await store.upsert([createEntry({ key: 'guid:em-list:1', aliases: [LINK] })], T0)
    const judge = createBodyJudge(store, SOURCES)
    await skips('em-list', [question()], judge)
    judge.remember('em-list', [createEntry()])

    expect(await skips('stcn', [question()], judge)).toEqual([false])
  })
})
