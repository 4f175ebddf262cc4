import { shareLinkOf, type Story } from './create-story.js'

export type FarmFeedFormat = 'rss' | 'atom'

export interface FarmFeedSpec {
  /** `f0001` */
  id: string
  format: FarmFeedFormat
  /** Media outlet name; readers take it as the feed title, feedloom as the media (→ category). */
  outlet: string
  /** Absolute URL of this feed on the farm. */
  selfUrl: string
  /** Newest first. `shared` marks a copy of a story whose home is another feed. */
  items: { story: Story; shared: boolean }[]
  /** Unix ms shown as the feed's own date (its newest item). */
  updatedMs: number
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const SHANGHAI_OFFSET_MS = 8 * 3_600_000

export function renderFarmFeed(spec: FarmFeedSpec): string {
  return spec.format === 'rss' ? renderRss(spec) : renderAtom(spec)
}

/** A shared copy carries the same infoCode under a tracking parameter, as syndicated copies do. */
function linkOf(story: Story, shared: boolean, feedId: string): string {
  const link = shareLinkOf(story.infoCode)
  return shared ? `${link}&utm_source=${feedId}` : link
}

function renderRss(spec: FarmFeedSpec): string {
  const items = spec.items.map(({ story, shared }) =>
    [
      '<item>',
      `<title>${escapeXml(story.title)}</title>`,
      `<link>${escapeXml(linkOf(story, shared, spec.id))}</link>`,
      `<guid isPermaLink="false">${story.infoCode}</guid>`,
      `<pubDate>${toRfc822Shanghai(story.publishedMs)}</pubDate>`,
      `<description><![CDATA[${story.digest}]]></description>`,
      `<content:encoded><![CDATA[${story.html}]]></content:encoded>`,
      '</item>',
    ].join(''),
  )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${escapeXml(spec.outlet)}</title>`,
    `<link>https://news.farm.test/media/${spec.id}/</link>`,
    `<description>${escapeXml(spec.outlet)}财经新闻</description>`,
    '<language>zh-CN</language>',
    `<lastBuildDate>${toRfc822Shanghai(spec.updatedMs)}</lastBuildDate>`,
    `<atom:link href="${escapeXml(spec.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n')
}

function renderAtom(spec: FarmFeedSpec): string {
  const entries = spec.items.map(({ story, shared }) =>
    [
      '<entry>',
      `<title>${escapeXml(story.title)}</title>`,
      `<id>tag:news.farm.test,2022:${story.infoCode}</id>`,
      `<link rel="alternate" type="text/html" href="${escapeXml(linkOf(story, shared, spec.id))}"/>`,
      `<published>${toIsoShanghai(story.publishedMs)}</published>`,
      `<updated>${toIsoShanghai(story.publishedMs)}</updated>`,
      `<author><name>${escapeXml(spec.outlet)}</name></author>`,
      `<summary>${escapeXml(story.digest)}</summary>`,
      `<content type="html">${escapeXml(story.html)}</content>`,
      '</entry>',
    ].join(''),
  )
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
    `<title>${escapeXml(spec.outlet)}</title>`,
    `<id>tag:news.farm.test,2022:feed:${spec.id}</id>`,
    `<updated>${toIsoShanghai(spec.updatedMs)}</updated>`,
    `<link rel="alternate" type="text/html" href="https://news.farm.test/media/${spec.id}/"/>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(spec.selfUrl)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n')
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string)
}

/** `Sat, 01 Jan 2022 08:00:00 +0800` */
export function toRfc822Shanghai(ms: number): string {
  const d = new Date(ms + SHANGHAI_OFFSET_MS)
  return `${DAY_NAMES[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0800`
}

/** `2022-01-01T08:00:00+08:00` */
export function toIsoShanghai(ms: number): string {
  return `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}
