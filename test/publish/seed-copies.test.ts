import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const copies = path.resolve(import.meta.dirname, '../fixtures/seed-article')
const shared = path.resolve(import.meta.dirname, '../../../shared')
const hasShared = existsSync(path.join(shared, 'seeds'))

describe.skipIf(!hasShared)(`the repository's seed copies${hasShared ? '' : ' (skipped: no ../shared beside the repository)'}`, () => {
  it.each([
    ['post.md', 'seeds/000_a42786d29ca14d48.txt'],
    ['list.json', 'fixtures/seed-article/list.json'],
    ['detail.json', 'fixtures/seed-article/detail.json'],
  ])('%s equals shared/%s byte for byte', async (copy, original) => {
    expect(await readFile(path.join(copies, copy))).toEqual(await readFile(path.join(shared, original)))
  })
})
