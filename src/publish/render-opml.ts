import { type OpmlOutlineSpec, renderOpml as renderOpmlDocument } from '../xml/render-opml.js'
import type { FeedSpec, OutputFormat, SitePlan } from './plan-feeds.js'

/** A reader subscribes to one file per feed; RSS is the format every reader takes. */
const PREFERRED_FORMATS: readonly OutputFormat[] = ['rss', 'atom', 'json']

/**
 * One flat outline per published feed, the all-categories feed first, so an import needs no
 * folder handling. `dateModified` is the newest item date, never the clock.
 */
export function renderOpml(plan: SitePlan, formats: readonly OutputFormat[]): string {
  const format = PREFERRED_FORMATS.find((candidate) => formats.includes(candidate)) ?? 'rss'
  return renderOpmlDocument({
    title: plan.all.title,
    ...(plan.all.updated.getTime() > 0 ? { dateModified: plan.all.updated.toUTCString() } : {}),
    outlines: [plan.all, ...plan.categories].map((spec) => toOutline(spec, format)),
  })
}

function toOutline(spec: FeedSpec, format: OutputFormat): OpmlOutlineSpec {
  return {
    attributes: [
      ['type', 'rss'],
      ['text', spec.title],
      ['title', spec.title],
      ['xmlUrl', spec.selfUrls[format]],
      ['htmlUrl', spec.homeUrl],
    ],
  }
}
