import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeIfChanged } from '../../src/publish/write-if-changed.js'
import { createOutputDir, fileIdentities } from './publish-fixtures.js'

describe('writeIfChanged', () => {
  it('creates missing directories and writes the text as UTF-8', async () => {
    const dir = await createOutputDir()
    expect(await writeIfChanged(path.join(dir, 'meirijingjixinwen', 'rss.xml'), '每日经济新闻')).toBe('written')
    expect(await readFile(path.join(dir, 'meirijingjixinwen', 'rss.xml'), 'utf8')).toBe('每日经济新闻')
  })

  it('leaves a file with identical bytes untouched', async () => {
    const dir = await createOutputDir()
    await writeIfChanged(path.join(dir, 'rss.xml'), '证券时报')
    const before = await fileIdentities(dir, ['rss.xml'])
    expect(await writeIfChanged(path.join(dir, 'rss.xml'), '证券时报')).toBe('unchanged')
    expect(await fileIdentities(dir, ['rss.xml'])).toEqual(before)
  })

  it('replaces a changed file by renaming a temp file over it, leaving no temp file behind', async () => {
    const dir = await createOutputDir()
    await writeIfChanged(path.join(dir, 'rss.xml'), '证券时报')
    const before = await fileIdentities(dir, ['rss.xml'])
    expect(await writeIfChanged(path.join(dir, 'rss.xml'), '每日经济新闻')).toBe('written')
    expect(await fileIdentities(dir, ['rss.xml'])).not.toEqual(before)
    expect(await readdir(dir)).toEqual(['rss.xml'])
  })

  it('reports a write that fails with E_PUBLISH_IO', async () => {
    const dir = await createOutputDir()
    await writeIfChanged(path.join(dir, 'taken'), 'a file where a directory should be')
    await expect(writeIfChanged(path.join(dir, 'taken', 'rss.xml'), '每日经济新闻')).rejects.toMatchObject({ code: 'E_PUBLISH_IO' })
  })
})
