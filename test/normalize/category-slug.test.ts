import { describe, expect, it } from 'vitest'
import { slugifyCategory } from '../../src/normalize/category-slug.js'

describe('slugifyCategory', () => {
  it('spells a Chinese media name as toneless pinyin without separators', () => {
    expect(slugifyCategory('每日经济新闻')).toBe('meirijingjixinwen')
  })

  it('keeps digits and uses context for polyphonic characters', () => {
    expect(slugifyCategory('21世纪经济报道')).toBe('21shijijingjibaodao')
    expect(slugifyCategory('重庆银行')).toBe('chongqingyinhang')
  })

  it('spells ü as v', () => {
    expect(slugifyCategory('绿色金融')).toBe('lvsejinrong')
  })

  it('lower-cases Latin names and turns other characters into single dashes', () => {
    expect(slugifyCategory('  Reuters -- Business & Finance! ')).toBe('reuters-business-finance')
  })

  it('drops accents and reads full-width letters', () => {
    expect(slugifyCategory('Café ＦＴ中文网')).toBe('cafe-ftzhongwenwang')
  })

  it('gives an empty slug when nothing usable is left', () => {
    expect(slugifyCategory('——')).toBe('')
  })
})

describe('slugifyCategory caps', () => {
  it(`keeps a slug made from a 400-character media name within ${64} bytes, short enough for any file system`, () => {
    const slug = slugifyCategory('财'.repeat(400))

    expect([Buffer.byteLength(slug), slug.startsWith('caicai')]).toEqual([64, true])
  })

  it('does not end a cut slug with a dash', () => {
    expect(slugifyCategory(`${'a'.repeat(63)} b`)).toBe('a'.repeat(63))
  })
})
