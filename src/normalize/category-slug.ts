import { createRequire } from 'node:module'
import type { pinyin as Pinyin } from 'pinyin-pro'
import { CAPS } from '../caps.js'

/** pinyin-pro costs ~180 ms of CPU to load, so it is required on the first slug, not at startup. */
const requireCjs = createRequire(import.meta.url)
let pinyinFunction: typeof Pinyin | undefined

/**
 * A category slug from a media outlet's name, as the site this replaces made them: Chinese as
 * toneless pinyin with no separators (每日经济新闻 → `meirijingjixinwen`), other text lower-cased
 * with every run of other characters turned into one dash, at most CAPS.maxSlugBytes long (it
 * names a directory). Empty when nothing usable is left.
 */
export function slugifyCategory(name: string): string {
  let slug = slugs.get(name)
  if (slug === undefined) {
    // Outlet names are few; the bound only keeps a hostile feed from growing the cache without end.
    if (slugs.size >= MAX_CACHED_SLUGS) slugs.clear()
    slug = romanize(name)
    slugs.set(name, slug)
  }
  return slug
}

/** Slugs by outlet name: pinyin conversion is slow and every entry of a feed names the same outlet. */
const slugs = new Map<string, string>()

const MAX_CACHED_SLUGS = 1000

function romanize(name: string): string {
  // NFKC first turns full-width letters and digits into ASCII; `v` spells ü as v (绿 → lv).
  pinyinFunction ??= (requireCjs('pinyin-pro') as { pinyin: typeof Pinyin }).pinyin
  const romanized = pinyinFunction(name.normalize('NFKC'), { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
  return romanized
    .join('')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, CAPS.maxSlugBytes)
    .replace(/-+$/, '')
}
