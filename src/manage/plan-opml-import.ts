import type { Config } from '../config/config-schema.js'
import type { OpmlDocument, OpmlOutline } from '../config/parse-opml.js'
import { slugifyCategory } from '../normalize/category-slug.js'
import { SLUG_PATTERN } from '../text/slug-pattern.js'
import type { NewSource } from './append-sources.js'
import { cleanTitle } from './clean-title.js'
import { pickSourceId } from './pick-source-id.js'
import { comparableUrl, sourceUrlsOf } from './source-urls.js'

export interface OpmlImportPlan {
  sources: NewSource[]
  /** Categories the import needs that the config has no title for yet. */
  categories: { slug: string; title: string }[]
  /** Outlines left out, with why. */
  skipped: { line: number; label: string; reason: string }[]
}

/**
 * OPML outlines → new feed sources. An outline with `xmlUrl` is a feed; its category is the folder
 * (an outline without `xmlUrl`) it sits in, the innermost one when folders nest, matched to a
 * `categories` entry by title or else slugged (每日经济新闻 → meirijingjixinwen). Our own export's
 * `feedloom:id` and `feedloom:category` are used when present, so an export imports back as it was.
 */
export function planOpmlImport(config: Readonly<Pick<Config, 'categories' | 'sources'>>, document: OpmlDocument): OpmlImportPlan {
  const plan: OpmlImportPlan = { sources: [], categories: [], skipped: [] }
  const ids = new Set(config.sources.map((source) => source.id))
  const urls = new Map<string, string>()
  for (const source of config.sources) {
    for (const url of sourceUrlsOf(source)) urls.set(comparableUrl(url), `source "${source.id}"`)
  }
  const titles = new Map(Object.entries(config.categories).map(([slug, category]) => [category.title, slug]))

  const categoryOf = (attributes: OpmlOutline['attributes']): string | undefined => {
    const title = cleanTitle(attributes.text ?? attributes.title)
    const explicit = attributes['feedloom:category']
    let slug: string
    if (explicit !== undefined && SLUG_PATTERN.test(explicit)) slug = explicit
    else if (title === undefined || title === '') return undefined
    else slug = titles.get(title) ?? slugifyCategory(title)
    if (slug === '') return undefined
    const titled = title !== undefined && title !== '' && title !== slug
    // Once `categories` lists any, a source's category must be one of them.
    const mustList = Object.keys(config.categories).length > 0
    if ((titled || mustList) && !Object.hasOwn(config.categories, slug) && !plan.categories.some((c) => c.slug === slug)) {
      plan.categories.push({ slug, title: titled ? title : slug })
      if (titled) titles.set(title, slug)
    }
    return slug
  }

  const visit = (outlines: readonly OpmlOutline[], folder: string | undefined) => {
    for (const outline of outlines) {
      const { attributes } = outline
      const xmlUrl = (attributes.xmlUrl ?? attributes.xmlurl)?.trim()
      const label = (attributes.text ?? attributes.title ?? xmlUrl ?? '').trim() || '(untitled)'
      const skip = (reason: string) => plan.skipped.push({ line: outline.line, label, reason })
      if (xmlUrl === undefined || xmlUrl === '') {
        if (outline.children.length > 0) visit(outline.children, categoryOf(attributes) ?? folder)
        else skip('no xmlUrl')
        continue
      }
      const url = URL.parse(xmlUrl)
      if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        skip(`xmlUrl ${xmlUrl} is not an http(s) URL`)
        continue
      }
      const seen = urls.get(comparableUrl(xmlUrl))
      if (seen !== undefined) {
        skip(`duplicate url (already ${seen})`)
        continue
      }
      const title = cleanTitle(attributes.title ?? attributes.text)
      const ownId = attributes['feedloom:id']
      if (ownId !== undefined && SLUG_PATTERN.test(ownId) && ids.has(ownId)) {
        skip(`duplicate id "${ownId}"`)
        continue
      }
      const id = ownId !== undefined && SLUG_PATTERN.test(ownId) ? ownId : pickSourceId({ title, url: url.href, taken: ids })
      const category = folder ?? categoryFromAttribute(attributes.category)
      plan.sources.push({ id, type: 'feed', url: xmlUrl, title: title === id ? undefined : title, category })
      ids.add(id)
      urls.set(comparableUrl(xmlUrl), `line ${outline.line}`)
      if (outline.children.length > 0) visit(outline.children, folder)
    }
  }

  /** OPML 2.0 `category="/Finance/News"`: the last part names the folder, when the outline is not in one. */
  const categoryFromAttribute = (value: string | undefined): string | undefined => {
    const last = value?.split(',')[0]?.split('/').filter((part) => part.trim() !== '').at(-1)?.trim()
    return last === undefined ? undefined : categoryOf({ text: last })
  }

  visit(document.outlines, undefined)
  return plan
}
