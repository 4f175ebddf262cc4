/**
 * Plain data passed between stages. Stages import only this file and errors.ts from
 * each other; pipeline/ composes them.
 */

/** What a parser found in one entry of a source, before any cleaning. All strings as given. */
export interface RawEntry {
  guid?: string
  link?: string
  title?: string
  /** Full HTML content (content:encoded, atom:content). */
  content?: string
  /** Short description or digest. */
  summary?: string
  author?: string
  /** The date string exactly as the source gave it. */
  published?: string
  updated?: string
  categories?: string[]
  /** The source's own article code when it has a field for it. */
  infoCode?: string
  /** Name of the media outlet that published the story (每日经济新闻). */
  media?: string
  shareLink?: string
  /** Podcast audio, images: RSS `<enclosure>`, Atom `rel="enclosure"`, `media:content`, `media:thumbnail`. */
  enclosures?: RawEnclosure[]
  /** xml:base in scope for this entry, for resolving its relative links. */
  baseUrl?: string
}

/** An enclosure's attributes as the feed wrote them. */
export interface RawEnclosure {
  url: string
  type?: string
  length?: string
}

/** An enclosure after normalize: an absolute http(s) URL, a MIME type when known, a byte length when given. */
export interface Enclosure {
  url: string
  type?: string
  length?: number
}

export interface ParsedFeed {
  title?: string
  /** The site the feed describes (RSS `<link>`, Atom `rel=alternate`). */
  link?: string
  /** xml:base of the feed element. */
  baseUrl?: string
  entries: RawEntry[]
  /** Why the strict reader refused the document, when a lenient read recovered its entries. */
  recovered?: string
}

/** An entry after normalize: absolute links, instants, sanitized HTML, a key and a category. */
export interface NormalizedEntry {
  /** Identity (docs/architecture.md, "Identity and merging"): `infocode:NW…`, `link:https://…`, `guid:…` or `hash:…`. */
  key: string
  /** Every other identity this entry can be recognised by (guid, link, share link). */
  aliases: string[]
  sourceId: string
  title: string
  /** Absolute http(s) link; absent for an entry that has none (its key says who it is). */
  link?: string
  /** Sanitized HTML. */
  content?: string
  summary?: string
  /**
   * Hash of the raw content and link base `content` was sanitized from; absent without content, or
   * when it came from a detail or full-text page.
   */
  contentHash?: string
  author?: string
  /** Deduplicated by URL. */
  enclosures?: Enclosure[]
  /** ISO 8601 instant; absent when the source gave no usable date (first-seen is used). */
  published?: string
  /** ISO 8601 instant from the source, when given. */
  updated?: string
  category: string
  /** Title for a category derived from a media outlet (the outlet's name). */
  categoryTitle?: string
  categories: string[]
  infoCode?: string
  media?: string
  shareLink?: string
}

/** An entry normalize refused, with the reason a user can act on. */
export interface DroppedEntry {
  sourceId: string
  reason: string
}

/** One item in the store and in every output. */
export interface StoredItem {
  /** Published id, minted once from the first key and never changed. A `urn:` IRI. */
  id: string
  key: string
  aliases: string[]
  sources: string[]
  title: string
  /** Absolute http(s) link; absent for an item that has none. */
  link?: string
  content?: string
  summary?: string
  /** NormalizedEntry.contentHash of the entry that set `content`: an entry with the same hash needs no sanitizing. */
  contentHash?: string
  author?: string
  enclosures?: Enclosure[]
  /** ISO instant shown as the item's date: the source's date, else first-seen. */
  published: string
  /** ISO instant of the last change to title or content after first publication. */
  updated?: string
  firstSeen: string
  category: string
  categoryTitle?: string
  categories: string[]
  infoCode?: string
  media?: string
  shareLink?: string
}

/** What a category page shows of an item: no bodies, only the text that stands for them. */
export interface PageItem extends Pick<StoredItem, 'id' | 'title' | 'link' | 'author' | 'media' | 'published'> {
  /** The item's summary as text, else the start of its content (text/to-summary-text.ts). */
  summaryText: string
}

/**
 * Which items the outputs publish (the config's filters), handed to the store so that it can answer
 * "the newest N that pass" from verdicts kept beside its index instead of reading every body.
 */
export interface ItemFilter {
  /** Changes whenever the rules do: verdicts stored under another fingerprint are recomputed. */
  fingerprint: string
  /** Whether the item is published. Pure: depends on the item and the rules only. */
  accepts(item: StoredItem): boolean
  /** Every category the item is published in, its own first. Pure, like accepts. */
  categoriesOf(item: StoredItem): string[]
}

/** Which charset decoded a response and why. */
export interface CharsetChoice {
  encoding: string
  /** `fallback`: nothing declared an encoding and the bytes are not UTF-8 (WHATWG: windows-1252, or GB18030 where Chinese hints point). */
  reason: 'override' | 'bom' | 'header' | 'prolog' | 'meta' | 'default' | 'fallback'
}

/**
 * Per-source state kept in the store between cycles. Only facts that change when something
 * happens are kept: a cycle where every source answers 304 must not write a byte, so
 * there is deliberately no "last checked" time that every answer would bump.
 */
export interface SourceState {
  etag?: string
  lastModified?: string
  /** Hash of the last body parsed, so an unchanged 200 is treated like a 304. */
  bodyHash?: string
  /**
   * The last attempt that changed this state (new content, a failure, a recovery, new validators,
   * a redirect), ISO. A 304 or unchanged answer that changes nothing else leaves it as it was.
   */
  lastAttemptAt?: string
  /** Last time the source answered with content that changed something, or answered again after failing, ISO. */
  lastSuccessAt?: string
  lastErrorAt?: string
  lastError?: { code: string; message: string; status?: number }
  consecutiveFailures: number
  /** First failure of the current streak, ISO; absent while the source answers. `status` alerts from it. */
  failingSince?: string
  /** ISO; the source is skipped until then (backoff, Retry-After). */
  nextAttemptAt?: string
  charset?: CharsetChoice
  /** The strict reader refused the last document parsed and a lenient read recovered its entries: why. */
  recovered?: string
  /** URL fetched instead of the configured one: a 301/308 target seen on two consecutive cycles. */
  effectiveUrl?: string
  /** A 301/308 target seen on the last cycle only; it becomes `effectiveUrl` when seen on the next one too. */
  pendingRedirect?: string
  /** The source answered 410 Gone then, ISO: it is not fetched again until its configured URL changes. */
  retiredAt?: string
  /**
   * The configured URL that `effectiveUrl`, `pendingRedirect` and `retiredAt` were recorded for;
   * present only with one of them. When the config names another URL they no longer apply.
   */
  configuredUrl?: string
  itemsSeen: number
  /**
   * Cycles in a row on which every detail or full-text fetch the source tried failed; absent after
   * one succeeds. While `articlesRetryAt` is ahead, none is tried (the list is still read).
   */
  articleFailures?: number
  /** ISO; detail and full-text fetches of this source wait until then (backoff after `articleFailures`). */
  articlesRetryAt?: string
  /**
   * Why the last attempt that brought content gave only part of it (a cap hit, details or full
   * text not fetched); absent when it was whole. The source still counts as answering.
   */
  degraded?: string[]
}

/** A source's health as `feedloom status --json` and out/status.json show it: its state's health fields, plus these. */
export type SourceHealth = Pick<
  SourceState,
  | 'effectiveUrl'
  | 'pendingRedirect'
  | 'lastAttemptAt'
  | 'lastSuccessAt'
  | 'lastErrorAt'
  | 'lastError'
  | 'consecutiveFailures'
  | 'failingSince'
  | 'nextAttemptAt'
  | 'retiredAt'
  | 'recovered'
  | 'itemsSeen'
  | 'degraded'
> & {
  id: string
  /**
   * `ok`; `degraded` (answers, but gave only part of its content: see `degraded`); `failing`
   * (failed last time, due again); `backing-off` (failed, skipped until `nextAttemptAt`);
   * `retired` (answered 410, not fetched until its URL changes); `new` (never fetched).
   */
  state: 'ok' | 'degraded' | 'failing' | 'backing-off' | 'retired' | 'new'
  /** The configured URL; absent for share sources, which have a list. */
  url?: string
  /** Failing for longer than `health.alertAfterHours`: `feedloom status` exits 2. */
  alert: boolean
}

/**
 * What publishing must remember between cycles, kept in the store beside the source states. Lists
 * are sorted and free of duplicates; an empty list is absent.
 */
export interface PublishRecord {
  /** Jekyll post files feedloom wrote, relative to output.dir: the only posts it may remove. */
  jekyllPosts?: string[]
  /** Output files whose last write failed, by file: the next cycle writes them again. */
  failedOutputs?: FailedOutput[]
}

/** An output file that could not be written or failed its check; `status` shows it until it is written. */
export interface FailedOutput {
  /** Relative to output.dir. */
  file: string
  /** Why the first failure of the current streak happened. */
  reason: string
  /** The first failure of the current streak, ISO. Kept with its reason while the file keeps failing, so the store keeps its bytes. */
  since: string
}

/** Where stages report what happened; the CLI decides how it looks. Fields are camelCase. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}
