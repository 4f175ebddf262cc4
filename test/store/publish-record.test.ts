import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { useTempStorePath } from './store-test-helpers.js'

const temp = useTempStorePath()

const FAILED_RSS = { file: 'rss.xml', reason: 'cannot write out/rss.xml: EACCES', since: '2022-01-11T06:00:00.000Z' }

describe('the store publish record', () => {
  it('keeps what publishing recorded across opens, lists sorted and without duplicates', async () => {
    const store = await openStore({ path: temp.path })
    store.setPublishRecord({ jekyllPosts: ['_posts/b.md', '_posts/a.md', '_posts/b.md'], failedOutputs: [] })
    await store.save()
    await store.close()

    const reopened = await openStore({ path: temp.path, items: 'lazy' })
    const record = reopened.publishRecord()
    await reopened.close()

    expect(record).toEqual({ jekyllPosts: ['_posts/a.md', '_posts/b.md'] })
  })

  it('is absent from the file while empty, so stores that never publish posts keep their bytes', async () => {
    const store = await openStore({ path: temp.path })
    store.setSourceState('nbd', { consecutiveFailures: 0, itemsSeen: 1 })
    store.setPublishRecord({ failedOutputs: [] })
    await store.save()
    await store.close()

    expect(await readFile(temp.path, 'utf8')).not.toContain('"publish"')
  })

  it('keeps one failed output per file, sorted by file, with its reason and since', async () => {
    const store = await openStore({ path: temp.path })
    const atom = { file: 'atom.xml', reason: 'cannot write out/atom.xml: EACCES', since: FAILED_RSS.since }
    store.setPublishRecord({ failedOutputs: [FAILED_RSS, atom, { ...FAILED_RSS, reason: 'cannot write out/rss.xml: ENOSPC' }] })
    await store.save()
    await store.close()

    const reopened = await openStore({ path: temp.path, items: 'lazy' })
    const record = reopened.publishRecord()
    await reopened.close()

    expect(record).toEqual({ failedOutputs: [atom, { ...FAILED_RSS, reason: 'cannot write out/rss.xml: ENOSPC' }] })
  })

  it('keeps an empty list of Jekyll posts: feedloom owns none, unlike a store that never recorded its posts', async () => {
    const store = await openStore({ path: temp.path })
    store.setPublishRecord({ jekyllPosts: [] })
    await store.save()
    await store.close()

    const reopened = await openStore({ path: temp.path, items: 'lazy' })
    const record = reopened.publishRecord()
    await reopened.close()

    expect(record).toEqual({ jekyllPosts: [] })
  })

  it('writes nothing when the same record is set again', async () => {
    const store = await openStore({ path: temp.path })
    store.setPublishRecord({ failedOutputs: [FAILED_RSS] })
    await store.save()
    await store.close()

    const again = await openStore({ path: temp.path, items: 'lazy' })
    again.setPublishRecord({ failedOutputs: [{ since: FAILED_RSS.since, reason: FAILED_RSS.reason, file: FAILED_RSS.file }] })
    const written = await again.save()
    await again.close()

    expect(written).toBe(false)
  })
})
