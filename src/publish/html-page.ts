import { formatZonedDate } from './format-zoned-date.js'
import { escapeHtml } from './html-to-text.js'
import type { FeedSpec, OutputFormat } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

/** What the HTML pages need besides the feeds themselves. */
export interface PageContext {
  language: string
  timeZone: string
  /** Configured formats, in the order subscribe links show them. */
  formats: readonly OutputFormat[]
  /** Absolute URL of feeds.opml when it is published. */
  opmlUrl?: string
}

export interface PageLabels {
  /** Ends with its own separator: full-width colons take no space after them. */
  subscribe: string
  subscribeAll: string
  home: string
  itemCount: (count: number) => string
  showing: (shown: number, total: number) => string
  more: (total: number) => string
  empty: string
  footer: (timeZone: string) => string
}

const FORMAT_NAMES: Readonly<Record<OutputFormat, string>> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' }

/** RSS Advisory Board, RFC 4287 §7 and JSON Feed 1.1 media types, as feed readers look for them in `<link rel="alternate">`. */
const MEDIA_TYPES: Readonly<Record<OutputFormat, string>> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
}

const ZH_LABELS: PageLabels = {
  subscribe: '订阅：',
  subscribeAll: '订阅全部：',
  home: '首页',
  itemCount: (count) => `${count} 篇`,
  showing: (shown, total) => (shown < total ? `最新 ${shown} 篇，共 ${total} 篇` : `共 ${total} 篇`),
  more: (total) => `查看全部 ${total} 篇 →`,
  empty: '暂无内容',
  footer: (timeZone) => `由 feedloom 生成 · 时间为 ${timeZone}`,
}

const EN_LABELS: PageLabels = {
  subscribe: 'Subscribe: ',
  subscribeAll: 'Subscribe to everything: ',
  home: 'Home',
  itemCount: (count) => `${count} ${count === 1 ? 'item' : 'items'}`,
  showing: (shown, total) => (shown < total ? `Newest ${shown} of ${total}` : `${total} ${total === 1 ? 'item' : 'items'}`),
  more: (total) => `All ${total} →`,
  empty: 'Nothing yet',
  footer: (timeZone) => `Made by feedloom · times in ${timeZone}`,
}

/** Small enough to inline; readable on a phone and in dark mode without JavaScript. */
const STYLE = `
:root { color-scheme: light dark; --muted: #5f6368; --line: #dadce0; --link: #1a56c8; }
@media (prefers-color-scheme: dark) { :root { --muted: #9aa0a6; --line: #3c4043; --link: #8ab4f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 17px/1.6 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; overflow-wrap: anywhere; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .25rem; }
.crumb, .count, time, .meta, footer { color: var(--muted); font-size: .85rem; }
.count { font-weight: normal; margin-left: .5rem; }
.subscribe { margin: .25rem 0 .75rem; font-size: .85rem; color: var(--muted); }
.subscribe a { display: inline-block; margin: .2rem .35rem 0 0; padding: .05rem .65rem; border: 1px solid var(--line); border-radius: 1rem; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding: .45rem 0; border-bottom: 1px solid var(--line); }
li > time { display: block; }
article h2 { font-size: 1.05rem; margin: 0; }
article p { margin: .25rem 0 0; }
footer { margin-top: 2rem; }
`.trim()

export function labelsFor(language: string): PageLabels {
  return /^zh\b/i.test(language) ? ZH_LABELS : EN_LABELS
}

export interface HtmlPageOptions {
  context: PageContext
  /** Plain text; escaped here. */
  title: string
  description?: string
  /** Feeds offered for discovery in `<link rel="alternate">`, in order (readers take the first). */
  alternates: FeedSpec[]
  /** Markup inside `<body>`. */
  body: string
}

export function renderHtmlPage({ context, title, description, alternates, body }: HtmlPageOptions): string {
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    ...(description ? [`<meta name="description" content="${escapeHtml(description)}">`] : []),
    '<meta name="generator" content="feedloom">',
    ...alternates.flatMap((spec) =>
      context.formats.map(
        (format) =>
          `<link rel="alternate" type="${MEDIA_TYPES[format]}" title="${escapeHtml(`${spec.title} (${FORMAT_NAMES[format]})`)}" href="${escapeHtml(spec.selfUrls[format])}">`,
      ),
    ),
    `<style>\n${STYLE}\n</style>`,
  ]
  return `<!DOCTYPE html>\n<html lang="${escapeHtml(context.language)}">\n<head>\n${head.join('\n')}\n</head>\n<body>\n${body}\n</body>\n</html>\n`
}

/** One link per configured format (and OPML when given), each to the file a feed reader subscribes to. */
export function renderSubscribeLinks(label: string, spec: FeedSpec, context: PageContext, opmlUrl?: string): string {
  const links = context.formats.map(
    (format) => `<a href="${escapeHtml(spec.selfUrls[format])}" type="${MEDIA_TYPES[format]}">${FORMAT_NAMES[format]}</a>`,
  )
  if (opmlUrl) links.push(`<a href="${escapeHtml(opmlUrl)}">OPML</a>`)
  return `<p class="subscribe">${escapeHtml(label)}${links.join(' ')}</p>`
}

/** The entry's title, linked when its link is an absolute http(s) URL (never `javascript:` or a relative path). */
export function renderEntryLink(entry: FeedEntry): string {
  const title = escapeHtml(entry.title)
  return entry.link !== undefined && isHttpUrl(entry.link) ? `<a href="${escapeHtml(entry.link)}">${title}</a>` : title
}

/** `<time>` with the instant in `datetime` and the wall clock of the site's zone as text; empty for an invalid date. */
export function renderTime(date: Date, timeZone: string): string {
  const zoned = formatZonedDate(date, timeZone)
  if (!zoned) return ''
  return `<time datetime="${date.toISOString()}">${zoned.date} ${zoned.time.slice(0, 5)}</time>`
}

function isHttpUrl(link: string): boolean {
  return URL.canParse(link) && /^https?:$/.test(new URL(link).protocol)
}
