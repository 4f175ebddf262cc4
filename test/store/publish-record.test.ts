import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { useTempStorePath } from './store-test-helpers.js'

const temp = useTempStorePath()

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

  it('writes nothing when the same record is set again', async () => {
    const store = await openStore({ path: temp.path })
    store.setPublishRecord({ failedOutputs: ['rss.xml'] })
    await store.save()
    await store.close()

    const again = await openStore({ path: temp.path, items: 'lazy' })
    again.setPublishRecord({ failedOutputs: ['rss.xml'] })
    const written = await again.save()
    await again.close()

    expect(written).toBe(false)
  })
})
