import { pinyin } from 'pinyin-pro'

/**
 * A category slug from a media outlet's name, as the site this replaces made them: Chinese as
 * toneless pinyin with no separators (每日经济新闻 → `meirijingjixinwen`), other text lower-cased
 * with every run of other characters turned into one dash. Empty when nothing usable is left.
 */
export function slugifyCategory(name: string): string {
  // NFKC first turns full-width letters and digits into ASCII; `v` spells ü as v (绿 → lv).
  const romanized = pinyin(name.normalize('NFKC'), { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
  return romanized
    .join('')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}
