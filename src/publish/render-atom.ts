import { escapeHtml } from '../text/escape-html.js'
import { escapeXmlText } from '../xml/escape-xml.js'
import type { FeedSpec } from './plan-feeds.js'
import type { FeedEntry } from './to-feed-entry.js'

/**
 * Atom 1.0 (RFC 4287), written here rather than by `feed`, which gives an entry without a link an
 * empty `<link/>`, guesses enclosure types from file extensions and has no feed-level author rule.
 * The layout is the one `feed` wrote, so unchanged items keep their bytes.
 */
export function renderAtom(spec: FeedSpec): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `    <id>${escapeHtml(spec.homeUrl)}</id>`,
    `    <title>${escapeXmlText(spec.title)}</title>`,
    `    <updated>${formatDate(spec.updated)}</updated>`,
    '    <generator>feedloom</generator>',
    // RFC 4287 §4.1.1: a feed has an author unless every entry has one.
    ...(spec.entries.some((entry) => entry.author === undefined) ? ['    <author>', `        <name>${escapeXmlText(spec.author)}</name>`, '    </author>'] : []),
    `    <link rel="alternate" href="${escapeHtml(spec.homeUrl)}"/>`,
    `    <link rel="self" href="${escapeHtml(spec.selfUrls.atom)}"/>`,
    ...(spec.hubUrl === undefined ? [] : [`    <link rel="hub" href="${escapeHtml(spec.hubUrl)}"/>`]),
    `    <subtitle>${escapeXmlText(spec.description)}</subtitle>`,
    ...spec.entries.flatMap(renderEntry),
    '</feed>',
  ]
  return `${lines.join('\n')}\n`
}

function renderEntry(entry: FeedEntry): string[] {
  // RFC 4287 §4.1.1: an entry without an alternate link carries its content.
  const contentHtml = entry.contentHtml ?? (entry.link === undefined ? escapeHtml(entry.summaryText || entry.title) : undefined)
  return [
    '    <entry>',
    // A plain-text title is escaped once for HTML, as type="html" says it is.
    `        <title type="html">${cdata(escapeHtml(entry.title))}</title>`,
    `        <id>${escapeHtml(entry.id)}</id>`,
    ...(entry.link === undefined ? [] : [`        <link href="${escapeHtml(entry.link)}"/>`]),
    `        <updated>${formatDate(entry.updated)}</updated>`,
    ...(entry.summaryText === '' ? [] : [`        <summary type="html">${cdata(escapeHtml(entry.summaryText))}</summary>`]),
    ...(contentHtml === undefined ? [] : [`        <content type="html">${cdata(contentHtml)}</content>`]),
    ...(entry.author === undefined ? [] : ['        <author>', `            <name>${escapeXmlText(entry.author)}</name>`, '        </author>']),
    ...entry.tags.map((tag) => `        <category term="${escapeHtml(tag.replaceAll('<', '\uFF1C'))}"/>`),
    ...entry.enclosures.map(
      (enclosure) =>
        `        <link rel="enclosure" href="${escapeHtml(enclosure.url)}"${enclosure.type === undefined ? '' : ` type="${escapeHtml(enclosure.type)}"`}${enclosure.length === undefined ? '' : ` length="${enclosure.length}"`}/>`,
    ),
    `        <published>${formatDate(entry.published)}</published>`,
    '    </entry>',
  ]
}

/** A CDATA section of HTML: in HTML `]]&gt;` reads as `]]>`, which would end the section. */
function cdata(html: string): string {
  return `<![CDATA[${html.replaceAll(']]>', ']]&gt;')}]]>`
}

/** An invalid date is written as-is (not thrown) so the pre-publish check reports it with the item. */
function formatDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? String(date) : date.toISOString()
}
