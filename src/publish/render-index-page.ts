import { escapeHtml } from '../text/escape-html.js'
import { labelsFor, renderEntryLink, renderHtmlPage, renderSubscribeLinks, renderTime, renderUpdated, type PageContext } from './html-page.js'
import type { SitePlan } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

/** Items of all categories together at the top of the home page. */
const NEWEST_ACROSS_CATEGORIES = 20

/** Items shown under each category on the home page. */
const NEWEST_PER_CATEGORY = 5

/**
 * out/index.html: the newest items of every category together (outlet, time, category), then
 * each category with its item count and newest items, and subscribe links for every feed.
 */
export function renderIndexPage(plan: SitePlan, context: PageContext): string {
  const labels = labelsFor(context.language)
  const categoryNames = new Map(plan.categories.map((spec) => [spec.dir, spec.name]))
  const latest = plan.all.entries.slice(0, NEWEST_ACROSS_CATEGORIES).map((entry) => renderLatestEntry(entry, categoryNames, context))
  const sections = plan.categories.map((spec) => {
    const newest = spec.entries.slice(0, NEWEST_PER_CATEGORY)
    const pageHref = `${encodeURIComponent(spec.dir)}/`
    return [
      '<section>',
      `<h2><a href="${pageHref}">${escapeHtml(spec.name)}</a><span class="count">${labels.itemCount(spec.itemCount)}</span></h2>`,
      renderSubscribeLinks(labels.subscribe, spec, context),
      '<ul>',
      ...newest.map((entry) => `<li>${renderEntryLink(entry)}${renderTime(entry.published, context.timeZone)}</li>`),
      '</ul>',
      ...(spec.itemCount > newest.length ? [`<p><a href="${pageHref}">${escapeHtml(labels.more(spec.itemCount))}</a></p>`] : []),
      '</section>',
    ].join('\n')
  })
  const body = [
    '<header>',
    `<h1>${escapeHtml(plan.all.name)}</h1>`,
    renderUpdated(plan.all, context),
    renderSubscribeLinks(labels.subscribeAll, plan.all, context, context.opmlUrl),
    '</header>',
    '<main>',
    ...(latest.length > 0 ? ['<section class="latest">', `<h2>${escapeHtml(labels.latest)}</h2>`, '<ul>', ...latest, '</ul>', '</section>'] : []),
    ...(sections.length > 0 ? sections : [`<p>${escapeHtml(labels.empty)}</p>`]),
    '</main>',
    `<footer>${escapeHtml(labels.footer(context.timeZone))}</footer>`,
  ]
  return renderHtmlPage({
    context,
    title: plan.all.name,
    description: plan.all.description === plan.all.title ? undefined : plan.all.description,
    alternates: [plan.all, ...plan.categories],
    body: body.filter((line) => line !== '').join('\n'),
  })
}

/** Title, then outlet · time · category; the outlet is left out where it is the category's own name. */
function renderLatestEntry(entry: FeedEntry, categoryNames: ReadonlyMap<string, string>, context: PageContext): string {
  const categoryName = categoryNames.get(entry.category) ?? entry.category
  const meta = [
    ...(entry.outlet && entry.outlet !== categoryName ? [`<span class="outlet">${escapeHtml(entry.outlet)}</span>`] : []),
    renderTime(entry.published, context.timeZone),
    `<a href="${encodeURIComponent(entry.category)}/">${escapeHtml(categoryName)}</a>`,
  ]
  return `<li><h3>${renderEntryLink(entry)}</h3><p class="meta">${meta.filter((part) => part !== '').join(' · ')}</p></li>`
}
