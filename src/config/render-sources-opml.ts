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
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<opml version="2.0" xmlns:feedloom="${OPML_NAMESPACE}">`,
    '  <head>',
    `    <title>${escapeXml(config.site.title)}</title>`,
    '  </head>',
    '  <body>',
  ]
  for (const entry of top) {
    if ('sources' in entry) {
      const title = config.categories[entry.category]?.title ?? entry.category
      lines.push(`    <outline text="${escapeXml(title)}" title="${escapeXml(title)}" feedloom:category="${escapeXml(entry.category)}">`)
      for (const source of entry.sources) lines.push(`      ${renderSource(source)}`)
      lines.push('    </outline>')
    } else {
      lines.push(`    ${renderSource(entry)}`)
    }
  }
  lines.push('  </body>', '</opml>', '')
  return { text: lines.join('\n'), skipped }
}

function renderSource(source: SourceConfig): string {
  const url = source.type === 'share' ? (source.urls[0] ?? '') : source.url
  const title = escapeXml(source.title ?? source.id)
  return `<outline type="rss" text="${title}" title="${title}" xmlUrl="${escapeXml(url)}" feedloom:id="${escapeXml(source.id)}"/>`
}

/** Attribute-safe: quotes, and newlines/tabs as references so attribute normalisation keeps them. */
function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\r', '&#13;')
    .replaceAll('\t', '&#9;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
}
