import { escapeHtml } from './html-to-text.js'
import type { FeedSpec, OutputFormat, SitePlan } from './plan-feeds.js'

/** A reader subscribes to one file per feed; RSS is the format every reader takes. */
const PREFERRED_FORMATS: readonly OutputFormat[] = ['rss', 'atom', 'json']

/**
 * OPML 2.0 (http://opml.org/spec2.opml): one flat outline per published feed, the
 * all-categories feed first, so an import needs no folder handling. `dateModified` is the newest
 * item date, never the clock.
 */
export function renderOpml(plan: SitePlan, formats: readonly OutputFormat[]): string {
  const format = PREFERRED_FORMATS.find((candidate) => formats.includes(candidate)) ?? 'rss'
  const head = [
    `    <title>${escapeHtml(plan.all.title)}</title>`,
    ...(plan.all.updated.getTime() > 0 ? [`    <dateModified>${plan.all.updated.toUTCString()}</dateModified>`] : []),
  ]
  const outlines = [plan.all, ...plan.categories].map((spec) => `    ${renderOutline(spec, format)}`)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    ...head,
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n')
}

function renderOutline(spec: FeedSpec, format: OutputFormat): string {
  const title = escapeHtml(spec.title)
  return `<outline type="rss" text="${title}" title="${title}" xmlUrl="${escapeHtml(spec.selfUrls[format])}" htmlUrl="${escapeHtml(spec.homeUrl)}"/>`
}
