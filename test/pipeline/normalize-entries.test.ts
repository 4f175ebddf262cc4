import { describe, expect, it } from 'vitest'
import { normalizeEntries } from '../../src/pipeline/normalize-entries.js'

const context = { sourceId: 'nbd', feedUrl: 'https://nbd.example.com/rss', timezone: 'Asia/Shanghai', now: new Date('2026-01-01T00:00:00Z') }

describe('normalizeEntries', () => {
  it('drops a guid that several entries of one answer share, so they stay apart', async () => {
    const { pairs } = await normalizeEntries(
      ['a', 'b'].map((name) => ({ guid: 'same-guid', link: `https://nbd.example.com/${name}.html`, title: name })),
      context,
    )
    expect(pairs.map(({ entry }) => [entry.key, entry.aliases])).toEqual([
      ['link:https://nbd.example.com/a.html', []],
      ['link:https://nbd.example.com/b.html', []],
    ])
  })

  it('keeps a guid that only one entry carries', async () => {
    const { pairs } = await normalizeEntries([{ guid: 'only-one', link: 'https://nbd.example.com/a.html', title: 'a' }], context)
    expect(pairs[0]?.entry.aliases).toEqual(['guid:nbd:only-one'])
  })
})
