import { createHash } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import type { NormalizedEntry } from '../../src/types.js'
import { createEntry, readStoreFile, useOpenStore } from './store-test-helpers.js'

const NOW = new Date('2022-01-11T06:00:00.000Z')

const temp = useOpenStore()

/** 珠江日报 and 朱江日报 both spell zhujiangribao; normalize gives both the plain slug. */
function fromMedia(code: string, media: string): NormalizedEntry {
  return createEntry({
    key: `infocode:${code}`,
    aliases: [],
    infoCode: code,
    media,
    category: 'zhujiangribao',
    categoryTitle: media,
  })
}

const suffixOf = (name: string) => createHash('sha1').update(name).digest('hex').slice(0, 6)

async function reopen(): Promise<void> {
  await temp.store.save()
  await temp.store.close()
  temp.store = await openStore({ path: temp.path })
}

describe('media category slugs', () => {
  it('gives the first media name the plain pinyin slug', () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW1'])?.category).toBe('zhujiangribao')
  })

  it('gives a second name with the same pinyin the slug plus 6 hex digits of its sha1', () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW2'])).toMatchObject({ category: `zhujiangribao-${suffixOf('朱江日报')}`, categoryTitle: '朱江日报' })
  })

  it('keeps the plain slug for further items of the first name', () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报'), fromMedia('NW3', '珠江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW3'])?.category).toBe('zhujiangribao')
  })

  it('keeps both slugs after a restart, whichever name comes first then', async () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报')], NOW)
    await reopen()
    temp.store.upsert([fromMedia('NW4', '朱江日报'), fromMedia('NW3', '珠江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW3'])?.category).toBe('zhujiangribao')
    expect(temp.store.findItem(['infocode:NW4'])?.category).toBe(`zhujiangribao-${suffixOf('朱江日报')}`)
  })

  it('keeps a slug after every item of its name was pruned', async () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报')], NOW)
    temp.store.prune({ maxItemsPerCategory: 500, maxAgeDays: 1, now: new Date(NOW.getTime() + 10 * 86_400_000) })
    await reopen()
    temp.store.upsert([fromMedia('NW2', '朱江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW2'])?.category).toBe(`zhujiangribao-${suffixOf('朱江日报')}`)
  })

  it('records the registry in the store file, sorted by slug', async () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报'), fromMedia('NW2', '朱江日报')], NOW)
    await temp.store.save()
    expect((await readStoreFile(temp.path)).categorySlugs).toEqual({
      zhujiangribao: '珠江日报',
      [`zhujiangribao-${suffixOf('朱江日报')}`]: '朱江日报',
    })
  })

  it('leaves a configured category alone', () => {
    temp.store.upsert([createEntry({ category: 'zhujiangribao', categoryTitle: undefined }), fromMedia('NW2', '朱江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW2'])?.category).toBe('zhujiangribao')
  })

  it('registers the media categories of a store written before the registry existed', async () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报')], NOW)
    await temp.store.save()
    await temp.store.close()
    const data = JSON.parse(await readFile(temp.path, 'utf8')) as Record<string, unknown>
    delete data.categorySlugs
    await writeFile(temp.path, `${JSON.stringify(data, null, 2)}\n`)
    temp.store = await openStore({ path: temp.path })
    temp.store.upsert([fromMedia('NW2', '朱江日报')], NOW)
    expect(temp.store.findItem(['infocode:NW2'])?.category).toBe(`zhujiangribao-${suffixOf('朱江日报')}`)
  })

  it('does not rewrite the file when a known name comes again', async () => {
    temp.store.upsert([fromMedia('NW1', '珠江日报')], NOW)
    await temp.store.save()
    const mtimeBefore = (await stat(temp.path)).mtimeMs
    temp.store.upsert([fromMedia('NW1', '珠江日报')], NOW)
    expect(await temp.store.save()).toBe(false)
    expect((await stat(temp.path)).mtimeMs).toBe(mtimeBefore)
  })
})
