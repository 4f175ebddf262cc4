import { escapeHtml } from './html-to-text.js'
import { labelsFor, renderEntryLink, renderHtmlPage, renderSubscribeLinks, renderTime, type PageContext } from './html-page.js'
import type { FeedSpec } from './plan-feeds.js'

/** out/<category>/index.html: the category's feed as a page, newest first, with dates in the site's zone. */
export function renderCategoryPage(spec: FeedSpec, all: FeedSpec, context: PageContext): string {
  const labels = labelsFor(context.language)
  const articles = spec.entries.map((entry) => {
    const meta = [renderTime(entry.published, context.timeZone), ...(entry.author ? [escapeHtml(entry.author)] : [])]
    return [
      '<li><article>',
      `<h2>${renderEntryLink(entry)}</h2>`,
      `<p class="meta">${meta.filter((part) => part !== '').join(' · ')}</p>`,
      ...(entry.summaryText ? [`<p>${escapeHtml(entry.summaryText)}</p>`] : []),
      '</article></li>',
    ].join('\n')
  })
  const body = [
    '<header>',
    `<p class="crumb"><a href="../">${escapeHtml(all.name)}</a></p>`,
    `<h1>${escapeHtml(spec.name)}<span class="count">${escapeHtml(labels.showing(spec.entries.length, spec.itemCount))}</span></h1>`,
    renderSubscribeLinks(labels.subscribe, spec, context),
    '</header>',
    '<main>',
    articles.length > 0 ? `<ul>\n${articles.join('\n')}\n</ul>` : `<p>${escapeHtml(labels.empty)}</p>`,
    '</main>',
    `<footer>${escapeHtml(labels.footer(context.timeZone))}</footer>`,
  ].join('\n')
  return renderHtmlPage({ context, title: spec.title, alternates: [spec, all], body })
}
