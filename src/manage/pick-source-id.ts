import { slugifyCategory } from '../normalize/category-slug.js'

/** Longer title slugs (a Chinese headline in pinyin) make poor ids; the host is used instead. */
const MAX_TITLE_ID_CHARS = 32

/**
 * A source id nobody uses yet: the slug of the title (pinyin for Chinese, 每日经济新闻 →
 * `meirijingjixinwen`) when it is short, else of the host without `www.`; `-2`, `-3`… when taken.
 */
export function pickSourceId(options: { title?: string | undefined; url: string; taken: ReadonlySet<string> }): string {
  const fromTitle = options.title === undefined ? '' : slugifyCategory(options.title)
  const base = fromTitle !== '' && fromTitle.length <= MAX_TITLE_ID_CHARS ? fromTitle : slugOfHost(options.url)
  if (!options.taken.has(base)) return base
  for (let n = 2; ; n++) if (!options.taken.has(`${base}-${n}`)) return `${base}-${n}`
}

function slugOfHost(url: string): string {
  const host = URL.parse(url)?.hostname.replace(/^www\./, '') ?? ''
  return slugifyCategory(host) || 'source'
}
