import { capContent } from '../caps.js'
import type { FeedSourceConfig } from '../config/config-schema.js'
import { withArticleBackoff } from '../source-state/article-backoff.js'
import { withDegraded } from '../source-state/with-degraded.js'
import type { ArticleExtractor } from '../sources/share/create-article-extractor.js'
import { fetchListing, listingState } from './fetch-listing.js'
import { type ContentLocator, fillMissingContent, withoutArticles } from './fill-missing-content.js'
import type { RefreshOptions, RefreshResult } from './refresh-result.js'

export const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5'

/** An RSS/Atom/RDF feed; with `fullText`, the linked page of each summary-only item, once. */
export async function refreshFeedSource(options: RefreshOptions<FeedSourceConfig>): Promise<RefreshResult> {
  const { source, config, fetcher, known, now, state, articles, deadline, parser, bodies } = options
  const listing = await fetchListing(options, { url: source.url })
  if (listing.kind === 'done') return listing.result
  const { response } = listing
  const task = { source, text: response.text, url: response.url, siteTimezone: config.site.timezone, now: now.toISOString() }
  const { pairs, dropped, reasons: parseReasons, recovered } = await parser.parse(task, bodies?.skipBodiesOf(source))
  const filled = source.fullText
    ? await fillMissingContent(pairs, {
        sourceId: source.id,
        charset: source.charset,
        fetcher,
        known,
        locator: linkedPage(source, articles),
        state,
        maxFetches: config.fetch.articlesPerSource,
        deadline,
        now,
      })
    : withoutArticles(pairs)
  const listed = listingState(listing, {
    now,
    itemsSeen: filled.entries.length,
    hasPendingArticles: filled.hasPending,
    parseRecovered: recovered,
  })
  const nextState = withDegraded(withArticleBackoff(listed, filled.backoff), [...parseReasons, ...filled.reasons])
  return { sourceId: source.id, status: 'ok', entries: filled.entries, dropped, warnings: filled.warnings, state: nextState }
}

/** The share link, else the article link, read like a share page. */
function linkedPage(source: FeedSourceConfig, articles: ArticleExtractor): ContentLocator {
  return {
    urlOf: ({ entry }) => {
      const url = entry.shareLink ?? entry.link
      return url === undefined ? { problem: `entry ${entry.key} has no link to read the full text from` } : { url }
    },
    read: async (text, responseUrl, _pair, signal) => {
      const article = await articles.extract(text, responseUrl, source.selectors, signal)
      // extractArticle throws when there is no body, so content is set here.
      return { html: capContent(article.content ?? ''), baseUrl: responseUrl }
    },
    accept: HTML_ACCEPT,
    noun: 'full-text page',
  }
}
