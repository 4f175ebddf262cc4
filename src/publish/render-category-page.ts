import { escapeHtml } from '../text/escape-html.js'
import { labelsFor, renderEntryLink, renderHtmlPage, renderPageLinks, renderSubscribeLinks, renderTime, renderUpdated, type PageContext } from './html-page.js'
import type { FeedSpec } from './plan-feeds.js'
import type { PageEntry } from './to-feed-entry.js'

/** One page of a category: its number (1 is the category's index.html), how many there are, and its items. */
export interface CategoryPageView {
  page: number
  pageCount: number
  /** Newest first. */
  entries: readonly PageEntry[]
}

/** The `<title>` of a category page: the feed's title, then the page number after the first. */
export function titleCategoryPage(spec: FeedSpec, page: number, pageCount: number, language: string): string {
  return page === 1 ? spec.title : `${spec.title} · ${labelsFor(language).pageOf(page, pageCount)}`
}

/**
 * out/<category>/index.html and out/<category>/page/<n>.html: the category's items as pages,
 * newest first, with dates in the site's zone, linked to each other with relative links so the
 * site works from any host or from disk.
 */
export function renderCategoryPage(spec: FeedSpec, all: FeedSpec, view: CategoryPageView, context: PageContext): string {
  const labels = labelsFor(context.language)
  const { page, pageCount, entries } = view
  const articles = entries.map((entry) => {
    const meta = [
      renderTime(entry.published, context.timeZone),
      ...(entry.outlet ? [escapeHtml(entry.outlet)] : []),
      ...(entry.author && entry.author !== entry.outlet ? [escapeHtml(entry.author)] : []),
    ]
    return [
      '<li><article>',
      `<h2>${renderEntryLink(entry)}</h2>`,
      `<p class="meta">${meta.filter((part) => part !== '').join(' · ')}</p>`,
      ...(entry.summaryText ? [`<p>${escapeHtml(entry.summaryText)}</p>`] : []),
      '</article></li>',
    ].join('\n')
  })
  const toRoot = page === 1 ? '../' : '../../'
  const hrefOf = (n: number): string => (page === 1 ? (n === 1 ? './' : `page/${n}.html`) : n === 1 ? '../' : `${n}.html`)
  const count = page === 1 ? labels.showing(entries.length, spec.itemCount) : labels.pageOf(page, pageCount)
  const body = [
    '<header>',
    `<p class="crumb"><a href="${toRoot}">${escapeHtml(all.name)}</a></p>`,
    `<h1>${escapeHtml(spec.name)}<span class="count">${escapeHtml(count)}</span></h1>`,
    renderUpdated(spec, context),
    renderSubscribeLinks(labels.subscribe, spec, context),
    '</header>',
    '<main>',
    articles.length > 0 ? `<ul>\n${articles.join('\n')}\n</ul>` : `<p>${escapeHtml(labels.empty)}</p>`,
    renderPageLinks(page, pageCount, hrefOf, context),
    '</main>',
    `<footer>${escapeHtml(labels.footer(context.timeZone))}</footer>`,
  ]
  return renderHtmlPage({
    context,
    title: titleCategoryPage(spec, page, pageCount, context.language),
    alternates: [spec, all],
    body: body.filter((line) => line !== '').join('\n'),
  })
}
