import { escapeHtml } from './html-to-text.js'
import { labelsFor, renderEntryLink, renderHtmlPage, renderSubscribeLinks, renderTime, type PageContext } from './html-page.js'
import type { SitePlan } from './plan-feeds.js'

/** Items shown under each category on the home page. */
const NEWEST_PER_CATEGORY = 5

/** out/index.html: every category with its item count and newest items, and subscribe links for every feed. */
export function renderIndexPage(plan: SitePlan, context: PageContext): string {
  const labels = labelsFor(context.language)
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
    renderSubscribeLinks(labels.subscribeAll, plan.all, context, context.opmlUrl),
    '</header>',
    '<main>',
    ...(sections.length > 0 ? sections : [`<p>${escapeHtml(labels.empty)}</p>`]),
    '</main>',
    `<footer>${escapeHtml(labels.footer(context.timeZone))}</footer>`,
  ].join('\n')
  return renderHtmlPage({
    context,
    title: plan.all.name,
    description: plan.all.description === plan.all.title ? undefined : plan.all.description,
    alternates: [plan.all, ...plan.categories],
    body,
  })
}
