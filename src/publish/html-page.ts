import { escapeHtml } from '../text/escape-html.js'
import { formatZonedDate } from './format-zoned-date.js'
import type { FeedSpec, OutputFormat } from './plan-feeds.js'
import type { PageEntry } from './to-feed-entry.js'

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
  /** Before the time of the newest item. */
  updated: string
  latest: string
  categories: string
  newer: string
  older: string
  pageOf: (page: number, count: number) => string
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
  updated: '更新于 ',
  latest: '最新',
  categories: '分类',
  newer: '← 上一页',
  older: '下一页 →',
  pageOf: (page, count) => `第 ${page} / ${count} 页`,
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
  updated: 'Updated ',
  latest: 'Latest',
  categories: 'Categories',
  newer: '← Newer',
  older: 'Older →',
  pageOf: (page, count) => `Page ${page} of ${count}`,
}

/**
 * Small enough to inline; readable on a phone and in dark mode without JavaScript. Fonts: the
 * system's for Latin, then CJK faces by platform (macOS, Noto/Source Han on Linux and Android,
 * Windows), the Simplified Chinese ones first unless the page says Traditional or Japanese, so a
 * character shared by the scripts is drawn the way its readers write it.
 */
const STYLE = `
:root { color-scheme: light dark; --muted: #5f6368; --line: #dadce0; --link: #1a56c8;
  --cjk: "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei"; }
:root:lang(zh-TW), :root:lang(zh-HK), :root:lang(zh-Hant) { --cjk: "PingFang TC", "Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "Microsoft JhengHei"; }
:root:lang(ja) { --cjk: "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "Yu Gothic", "Meiryo"; }
@media (prefers-color-scheme: dark) { :root { --muted: #9aa0a6; --line: #3c4043; --link: #8ab4f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 17px/1.6 system-ui, -apple-system, "Segoe UI", var(--cjk), sans-serif; overflow-wrap: anywhere; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .25rem; }
.crumb, .count, time, .meta, .updated, footer { color: var(--muted); font-size: .85rem; }
.updated { margin: 0; }
.count { font-weight: normal; margin-left: .5rem; }
.subscribe { margin: .25rem 0 .75rem; font-size: .85rem; color: var(--muted); }
.subscribe a { display: inline-block; margin: .2rem .35rem 0 0; padding: .05rem .65rem; border: 1px solid var(--line); border-radius: 1rem; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding: .45rem 0; border-bottom: 1px solid var(--line); }
li > time { display: block; }
.meta a { color: inherit; }
article h2, .latest h3 { font-size: 1.05rem; margin: 0; }
.latest h3 { font-weight: 500; }
article p { margin: .25rem 0 0; }
.meta { margin: .15rem 0 0; }
nav.pages { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; margin: 1.25rem 0; font-size: .9rem; }
nav.pages a, nav.pages span { padding: .15rem .6rem; border: 1px solid var(--line); border-radius: .4rem; }
nav.pages [aria-current] { font-weight: 600; }
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
export function renderEntryLink(entry: Pick<PageEntry, 'title' | 'link'>): string {
  const title = escapeHtml(entry.title)
  return entry.link !== undefined && isHttpUrl(entry.link) ? `<a href="${escapeHtml(entry.link)}">${title}</a>` : title
}

/** "Updated <time>": the newest item's date, never the clock, so an unchanged site keeps its bytes. */
export function renderUpdated(spec: FeedSpec, context: PageContext): string {
  const time = spec.itemCount > 0 ? renderTime(spec.updated, context.timeZone) : ''
  return time === '' ? '' : `<p class="updated">${escapeHtml(labelsFor(context.language).updated)}${time}</p>`
}

/**
 * Links to the other pages of a category: newer, each page by number, older. `hrefOf` gives the
 * link from the current page to page n; nothing when there is one page.
 */
export function renderPageLinks(page: number, count: number, hrefOf: (n: number) => string, context: PageContext): string {
  if (count <= 1) return ''
  const labels = labelsFor(context.language)
  const numbers = Array.from({ length: count }, (_, i) => i + 1).map((n) =>
    n === page ? `<span aria-current="page">${n}</span>` : `<a href="${escapeHtml(hrefOf(n))}">${n}</a>`,
  )
  return [
    `<nav class="pages" aria-label="${escapeHtml(labels.pageOf(page, count))}">`,
    ...(page > 1 ? [`<a href="${escapeHtml(hrefOf(page - 1))}" rel="prev">${escapeHtml(labels.newer)}</a>`] : []),
    ...numbers,
    ...(page < count ? [`<a href="${escapeHtml(hrefOf(page + 1))}" rel="next">${escapeHtml(labels.older)}</a>`] : []),
    '</nav>',
  ].join('\n')
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
