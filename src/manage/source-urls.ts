import type { SourceConfig } from '../config/config-schema.js'

/** Every URL a source is fetched from: its feed or API URL, or each share page. */
export function sourceUrlsOf(source: Readonly<SourceConfig>): readonly string[] {
  return source.type === 'share' ? source.urls : [source.url]
}

/** The form two spellings of one URL share (`HTTP://Example.com` and `http://example.com/`), for duplicate checks. */
export function comparableUrl(url: string): string {
  return URL.parse(url.trim())?.href ?? url.trim()
}
