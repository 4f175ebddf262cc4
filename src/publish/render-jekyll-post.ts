import type { Config } from '../config/config-schema.js'
import { escapeHtml } from '../text/escape-html.js'
import type { StoredItem } from '../types.js'
import { formatZonedDate } from './format-zoned-date.js'
import { listItemTags, mediaNameOf } from './list-item-tags.js'
import { stripDeceptiveChars } from './strip-deceptive-chars.js'

export type JekyllConfig = NonNullable<Config['output']['jekyll']>

export interface JekyllPostOptions {
  jekyll: JekyllConfig
  /** IANA zone of the site: the post's date and file name are its wall clock. */
  timeZone: string
  /** Title of the item's category; names the outlet when the item has no media. */
  categoryTitle: string
}

export interface JekyllPost {
  /** `YYYY-MM-DD-<infoCode>.md` */
  fileName: string
  text: string
}

/** An infoCode becomes a file name, so it must be one harmless path segment. */
const SAFE_INFO_CODE = /^[A-Za-z0-9_-]+$/

/** Plain YAML scalars Jekyll reads back as the same string: no indicators, no whitespace, not a number or a date. */
const PLAIN_WORD = /^\p{L}[\p{L}\p{M}\p{N}_.+-]*$/u

/** YAML 1.1 (Jekyll's Psych) reads these as booleans or null. */
const YAML_KEYWORDS = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i

/** Why an item with an infoCode cannot have a post file, or undefined when it can. */
export function checkInfoCodeFileName(infoCode: string): string | undefined {
  return SAFE_INFO_CODE.test(infoCode) ? undefined : `infoCode ${JSON.stringify(infoCode)} is not a safe file name`
}

/** File name of the item's post; the item must have a valid date and an infoCode that passes `checkInfoCodeFileName`. */
export function jekyllPostFileName(item: StoredItem, timeZone: string): string {
  const date = formatZonedDate(new Date(item.published), timeZone)?.date ?? 'invalid-date'
  return `${date}-${item.infoCode ?? ''}.md`
}

/**
 * kramdown, Jekyll's Markdown, reads Markdown in HTML it does not take as a raw block (text beside
 * or after block tags, `<span>`, a plain-text digest): `[x](javascript:…)` becomes a link,
 * `![x](…)` an image, `{: onerror=…}` an attribute, `{::nomarkdown}` an extension, `|:-|` a table
 * whose cells carry style attributes. These characters start every one of those; a character
 * reference is the same character to an HTML reader (in text and in attribute values alike) and
 * plain text to kramdown, Markdown or raw.
 */
const MARKDOWN_OPENERS = /[[\]{}|]/g

const CHARACTER_REFERENCES: Readonly<Record<string, string>> = { '[': '&#91;', ']': '&#93;', '{': '&#123;', '}': '&#125;', '|': '&#124;' }

/**
 * A post in the format of the system feedloom replaces (README, "Jekyll posts"): front
 * matter, the body HTML as stored (with Markdown's openers as character references), the share
 * link, then links back to the outlet's category page and to the home page, with no trailing
 * newline. Front matter text is HTML-escaped, since layouts print `{{ page.title }}` unescaped.
 * The item must be one `jekyllPostFileName` accepts.
 */
export function renderJekyllPost(item: StoredItem, { jekyll, timeZone, categoryTitle }: JekyllPostOptions): JekyllPost {
  const published = formatZonedDate(new Date(item.published), timeZone)
  const siteUrl = jekyll.siteUrl.replace(/\/+$/, '')
  const categoryUrl = `${siteUrl}${jekyll.categoryPage.replaceAll('{category}', item.category)}`
  const frontMatter = [
    '---',
    `layout: ${toYamlWord(jekyll.layout)}`,
    `title: ${toYamlString(toFrontMatterText(item.title))}`,
    `date: ${published?.date ?? ''} ${published?.time ?? ''} ${published?.offset ?? ''}`,
    `categories: ${toYamlWord(toFrontMatterText(item.category))}`,
    `tags: ${toYamlTags(listItemTags(item, categoryTitle).map(toFrontMatterText))}`,
    '---',
  ].join('\n')
  const articleUrl = item.shareLink ?? item.link
  const body = [
    escapeMarkdownOpeners(item.content ?? item.summary ?? ''),
    ...(articleUrl === undefined ? [] : [`<${toAutolinkUrl(articleUrl)}>`]),
    `[返回${escapeLinkText(mediaNameOf(item, categoryTitle))}新闻](${categoryUrl})｜[返回首页](${siteUrl}/)`,
  ].join('\n\n')
  return { fileName: jekyllPostFileName(item, timeZone), text: `${frontMatter}\n${escapeLiquid(body)}` }
}

/**
 * YAML double-quoted scalar: valid for any text. Escapes what YAML 1.1 does not allow raw inside
 * one (C0/C1 controls, DEL) or reads as a line break (LF, CR, NEL, U+2028, U+2029), and drops
 * what UTF-8 cannot carry (lone surrogates).
 */
function toYamlString(text: string): string {
  const escaped = text
    .replace(/[\uD800-\uDFFF]/gu, '')
    .replace(/[\\"\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF\uFFFE\uFFFF]/g, (char) => {
      if (char === '\\' || char === '"') return `\\${char}`
      if (char === '\n') return '\\n'
      if (char === '\t') return '\\t'
      if (char === '\r') return '\\r'
      return `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
    })
  return `"${escaped}"`
}

/** A single word as the seed writes it (`categories: meirijingjixinwen`), quoted when YAML would read it otherwise. */
function toYamlWord(word: string): string {
  return PLAIN_WORD.test(word) && !YAML_KEYWORDS.test(word) ? word : toYamlString(word)
}

/**
 * Jekyll splits a string `tags` value on whitespace and keeps an array as it is. Tags that are all
 * plain words are written space-separated, as the seed does; otherwise as a flow sequence of
 * quoted strings, so a tag with a space stays one tag.
 */
function toYamlTags(tags: string[]): string {
  const joined = tags.join(' ')
  if (tags.length > 0 && tags.every((tag) => PLAIN_WORD.test(tag)) && !YAML_KEYWORDS.test(joined)) return joined
  return `[${tags.map(toYamlString).join(', ')}]`
}

/** kramdown autolink `<…>`: ends at the first `>` or whitespace; braces would start Liquid. */
function toAutolinkUrl(url: string): string {
  return url.replace(/[\s<>{}]/g, (char) => encodeURIComponent(char))
}

function escapeLinkText(text: string): string {
  return escapeMarkdownOpeners(escapeHtml(stripDeceptiveChars(text)).replace(/[\\*_`]/g, '\\$&'))
}

function escapeMarkdownOpeners(html: string): string {
  return html.replace(MARKDOWN_OPENERS, (char) => CHARACTER_REFERENCES[char] ?? char)
}

/** Text as front matter holds it: printed as HTML by layouts, so escaped, and without deceptive invisible characters. */
function toFrontMatterText(text: string): string {
  return escapeHtml(stripDeceptiveChars(text))
}

/**
 * Jekyll runs Liquid over every post, so `{{` or `{%` in an article would be evaluated or fail the
 * site build. An HTML character reference keeps the text the same for readers.
 */
function escapeLiquid(markdown: string): string {
  return markdown.replaceAll('{{', '{&#123;').replaceAll('{%', '{&#37;')
}
