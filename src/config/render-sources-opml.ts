import { type OpmlOutlineSpec, renderOpml } from '../xml/render-opml.js'
import type { Config, SourceConfig } from './config-schema.js'

/** Our attributes on outlines (OPML 2.0 allows any), so that an export imports back to the same ids and slugs. */
export const OPML_NAMESPACE = 'https://github.com/feedloom/feedloom/opml'

export interface RenderSourcesOpmlResult {
  text: string
  /** Sources an OPML subscription list cannot hold (json and share sources), with why. */
  skipped: { id: string; reason: string }[]
}

/**
 * The config's feed sources as an OPML 2.0 subscription list: one folder outline per category (its
 * title from `categories`, else the slug), sources without a category at the top level, in config
 * order. No dates, so the same config gives the same bytes.
 */
export function renderSourcesOpml(config: Readonly<Pick<Config, 'site' | 'categories' | 'sources'>>): RenderSourcesOpmlResult {
  const skipped: RenderSourcesOpmlResult['skipped'] = []
  const top: (SourceConfig | { category: string; sources: SourceConfig[] })[] = []
  const folders = new Map<string, SourceConfig[]>()
  for (const source of config.sources) {
    if (source.type !== 'feed') {
      skipped.push({ id: source.id, reason: `a ${source.type} source is not a feed a reader can subscribe to` })
      continue
    }
    if (source.category === undefined) {
      top.push(source)
      continue
    }
    let folder = folders.get(source.category)
    if (folder === undefined) {
      folder = []
      folders.set(source.category, folder)
      top.push({ category: source.category, sources: folder })
    }
    folder.push(source)
  }
  const outlines = top.map((entry): OpmlOutlineSpec => {
    if (!('sources' in entry)) return toOutline(entry)
    const title = config.categories[entry.category]?.title ?? entry.category
    return {
      attributes: [['text', title], ['title', title], ['feedloom:category', entry.category]],
      children: entry.sources.map(toOutline),
    }
  })
  return { text: renderOpml({ title: config.site.title, namespaces: { feedloom: OPML_NAMESPACE }, outlines }), skipped }
}

function toOutline(source: SourceConfig): OpmlOutlineSpec {
  const url = source.type === 'share' ? (source.urls[0] ?? '') : source.url
  const title = source.title ?? source.id
  return { attributes: [['type', 'rss'], ['text', title], ['title', title], ['xmlUrl', url], ['feedloom:id', source.id]] }
}
