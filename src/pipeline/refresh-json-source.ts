import { capContent } from '../caps.js'
import type { JsonSourceConfig } from '../config/config-schema.js'
import { withArticleBackoff } from '../source-state/article-backoff.js'
import { withDegraded } from '../source-state/with-degraded.js'
import { fillUrlTemplate } from '../sources/json/fill-url-template.js'
import { parseJsonDetail } from '../sources/json/parse-json-detail.js'
import { templateValuesOf } from '../sources/json/parse-json-list.js'
import { fetchListing, listingState } from './fetch-listing.js'
import { type ContentLocator, fillMissingContent, withoutArticles } from './fill-missing-content.js'
import type { RefreshOptions, RefreshResult } from './refresh-result.js'

const JSON_ACCEPT = 'application/json, text/json;q=0.9, */*;q=0.5'

/**
 * A news list API; with `detail`, the article text of each item not yet stored with content.
 * A failed detail leaves the item with its summary and is retried on a later cycle.
 */
export async function refreshJsonSource(options: RefreshOptions<JsonSourceConfig>): Promise<RefreshResult> {
  const { source, config, fetcher, known, now, state, deadline, parser, bodies } = options
  const listing = await fetchListing(options, { url: source.url, accept: JSON_ACCEPT })
  if (listing.kind === 'done') return listing.result
  const { response } = listing
  const task = { source, text: response.text, url: response.url, siteTimezone: config.site.timezone, now: now.toISOString() }
  const { pairs, dropped, reasons: parseReasons } = await parser.parse(task, bodies?.skipBodiesOf(source))
  const filled =
    source.detail === undefined
      ? withoutArticles(pairs)
      : await fillMissingContent(pairs, {
          sourceId: source.id,
          charset: source.charset,
          fetcher,
          known,
          locator: detailApi(source.detail),
          state,
          maxFetches: config.fetch.articlesPerSource,
          deadline,
          now,
        })
  const listed = listingState(listing, { now, itemsSeen: filled.entries.length, hasPendingArticles: filled.hasPending })
  const nextState = withDegraded(withArticleBackoff(listed, filled.backoff), [...parseReasons, ...filled.reasons])
  return { sourceId: source.id, status: 'ok', entries: filled.entries, dropped, warnings: filled.warnings, state: nextState }
}

function detailApi(detail: NonNullable<JsonSourceConfig['detail']>): ContentLocator {
  return {
    urlOf: ({ raw = {}, entry }) => {
      // The infoCode may also come from the item's link or share link (docs/architecture.md, "Identity and merging").
      const filled = fillUrlTemplate(detail.url, { ...templateValuesOf(raw), infoCode: entry.infoCode ?? raw.infoCode })
      if ('url' in filled) return filled
      const needed = filled.missing.map((name) => `{${name}}`).join(', ')
      return { problem: `detail URL ${detail.url} needs ${needed}, which the item lacks` }
    },
    // Links in article text are relative to the article, not to the API that served it.
    read: async (text, responseUrl, { entry }) => ({
      html: capContent(parseJsonDetail(text, detail.content, responseUrl)),
      baseUrl: entry.link ?? responseUrl,
    }),
    accept: JSON_ACCEPT,
    noun: 'detail',
  }
}
