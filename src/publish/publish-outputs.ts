import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { CAPS } from '../caps.js'
import type { Config } from '../config/config-schema.js'
import { FeedloomError } from '../errors.js'
import { removeTempFiles } from '../fsx/write-file-atomic.js'
import { escapeHtml } from '../text/escape-html.js'
import { SLUG_PATTERN } from '../text/slug-pattern.js'
import { checkHtmlPage, checkOpml, checkOutput } from './check-output.js'
import type { PageContext } from './html-page.js'
import { mapConcurrently } from './map-concurrently.js'
import { countPages, createPageItems, PAGE_FILE, PAGES_DIR, pageFileOf, pageSizeOf, type PageItems } from './plan-category-pages.js'
import { OUTPUT_FILE_NAMES, planSite, type PublishedItems, resolveSiteUrl, titleCategories, type FeedSpec, type OutputFormat, type SitePlan } from './plan-feeds.js'
import { DAY_MS, publishJekyllPosts } from './publish-jekyll-posts.js'
import { renderAtom } from './render-atom.js'
import { renderCategoryPage, titleCategoryPage } from './render-category-page.js'
import { renderIndexPage } from './render-index-page.js'
import { renderJsonFeed } from './render-json-feed.js'
import { renderOpml } from './render-opml.js'
import { renderRss } from './render-rss.js'
import { toPageEntry } from './to-feed-entry.js'
import { writeIfChanged, type WriteOutcome } from './write-if-changed.js'

export interface PublishOptions {
  /** The items the config's filters publish (the store, opened with createItemFilter). */
  items: PublishedItems
  /** Uses site, output (dir already absolute), categories and sources' filters. */
  config: Config
  /**
   * Categories whose items changed this cycle; 'all' for `build`. The all-categories feeds,
   * index.html and feeds.opml are regenerated whenever any category is.
   */
  changedCategories: ReadonlySet<string> | 'all'
  /** End of the Jekyll live window; nothing else reads the clock. @default new Date() */
  now?: Date
  /**
   * Render and check everything but write and delete nothing: the result lists what would be
   * written (`written`) and removed (`removed`). For `run --dry-run`. @default false
   */
  dryRun?: boolean
  /**
   * The Jekyll posts feedloom wrote, as the store recorded them (`PublishRecord.jekyllPosts`):
   * the only posts it may replace or remove besides byte-for-byte copies of its own. Undefined
   * for a store written before the record existed.
   */
  jekyllPosts?: readonly string[]
}

export interface PublishResult {
  /** Paths relative to output.dir whose bytes changed. */
  written: string[]
  /** Files regenerated with identical bytes (not rewritten). */
  unchanged: number
  /** Failed the pre-publish check or the write; the old file is kept. */
  failed: { file: string; reason: string }[]
  /** Jekyll posts deleted because their item left the live window or is no longer published; relative to output.dir. */
  removed: string[]
  /** Category pages (`<category>/page/<n>.html`) deleted because the category has fewer pages now; relative to output.dir. */
  removedPages?: string[]
  /** Post-named files feedloom left in place, unable to show that it wrote them (only for a store without a record). */
  leftAlone?: string[]
  /** The Jekyll posts feedloom owns now, for the store's record; undefined when the record stays as it was. */
  jekyllPosts?: string[]
}

/** One file to regenerate: how to make it and what must hold before it replaces the published one. */
interface PlannedDocument {
  /** Relative to output.dir, with '/' separators. */
  file: string
  /** A category directory, checked to be one safe path segment. */
  dir: string
  render: () => string | Promise<string>
  check: (text: string) => string[]
}

type DocumentOutcome = { file: string; outcome: WriteOutcome } | { file: string; outcome: 'failed'; reason: string }

const RENDERERS: Readonly<Record<OutputFormat, (spec: FeedSpec) => string>> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

const OPML_FILE = 'feeds.opml'
const HTML_FILE = 'index.html'

/** The reason text shows this many problems; a document with one bad item often has several. */
const MAX_REASON_PROBLEMS = 3

/**
 * Regenerates, from the items the filters let through, the RSS, Atom and JSON feeds and the HTML
 * page of each changed category, and (when anything changed) those of all categories together
 * plus index.html and feeds.opml; then brings the Jekyll posts folder to the live window. Each
 * document is checked before it replaces the published file, and written only when its bytes
 * changed. Never throws for a single document: failures are in the result.
 */
export async function publishOutputs(options: PublishOptions): Promise<PublishResult> {
  const { items, config, changedCategories, now = new Date(), dryRun = false } = options
  const anyChanged = changedCategories === 'all' || changedCategories.size > 0
  // The Jekyll window moves with the clock, so posts are checked even when no item changed.
  if (!anyChanged && !config.output.jekyll) return summarizeOutcomes([])
  const plan = anyChanged ? await planSite(items, config) : undefined
  const documents = plan ? planDocuments(plan, config, changedCategories, createPageItems(items)) : []
  // Best effort: a leftover is hidden from `serve` anyway, and must not cost the publish.
  if (!dryRun && documents.length > 0) await removeTempFiles(config.output.dir, { recursive: true }).catch(() => undefined)
  const outcomes = await mapConcurrently(documents, CAPS.maxConcurrentWrites, (document) => publishDocument(config.output.dir, document, dryRun))
  const result = summarizeOutcomes(outcomes)
  if (plan && config.output.html) {
    const removals = await removeSurplusPages(plan, config, changedCategories, dryRun)
    result.removedPages = removals.removed
    result.failed.push(...removals.failed)
  }
  if (config.output.jekyll) {
    const jekyll = config.output.jekyll
    const posts = await publishJekyllPosts({
      items: await items.liveItems({ since: new Date(now.getTime() - jekyll.liveDays * DAY_MS) }),
      findStoredItem: (infoCode) => items.findItem([`infocode:${infoCode}`]),
      recordedPosts: options.jekyllPosts,
      jekyll,
      outputDir: config.output.dir,
      timeZone: config.site.timezone,
      categoryTitles: plan ? new Map(plan.categories.map((spec) => [spec.dir, spec.name])) : titleCategories(await items.countItems(), config),
      changedCategories,
      now,
      dryRun,
    })
    const postResult = summarizeOutcomes(posts.outcomes)
    result.written.push(...postResult.written)
    result.unchanged += postResult.unchanged
    result.failed.push(...postResult.failed)
    result.removed.push(...posts.removed)
    result.leftAlone = posts.leftAlone
    result.jekyllPosts = posts.posts
  }
  return result
}

function planDocuments(plan: SitePlan, config: Config, changedCategories: ReadonlySet<string> | 'all', pageItems: PageItems): PlannedDocument[] {
  const formats = (Object.keys(RENDERERS) as OutputFormat[]).filter((format) => config.output.formats.includes(format))
  const context: PageContext = {
    language: config.site.language,
    timeZone: config.site.timezone,
    formats,
    opmlUrl: config.output.opml ? resolveSiteUrl(config.site.url, OPML_FILE) : undefined,
  }
  const feedDocumentsOf = (spec: FeedSpec): PlannedDocument[] =>
    formats.map((format) => ({
      file: path.posix.join(spec.dir, OUTPUT_FILE_NAMES[format]),
      dir: spec.dir,
      render: () => RENDERERS[format](spec),
      check: (text: string) => checkOutput(format, text),
    }))
  const pageDocumentsOf = (spec: FeedSpec): PlannedDocument[] => {
    const pageSize = pageSizeOf(config, spec.dir)
    const pageCount = countPages(spec.itemCount, pageSize)
    return Array.from({ length: pageCount }, (_, i) => i + 1).map((page) => ({
      file: pageFileOf(spec.dir, page),
      dir: spec.dir,
      render: async () => {
        // The first page is the feed; later ones are asked for one at a time, so a long category is never held whole.
        const entries =
          page === 1
            ? spec.entries
            : (await pageItems({ category: spec.dir, offset: (page - 1) * pageSize, limit: pageSize })).map(toPageEntry)
        return renderCategoryPage(spec, plan.all, { page, pageCount, entries }, context)
      },
      check: (text: string) => checkHtmlPage(text, escapeHtml(titleCategoryPage(spec, page, pageCount, context.language))),
    }))
  }
  const indexDocuments: PlannedDocument[] = config.output.html
    ? [{ file: HTML_FILE, dir: '', render: () => renderIndexPage(plan, context), check: (text) => checkHtmlPage(text, escapeHtml(plan.all.title)) }]
    : []
  // An empty category's files are written too, so its subscribe URL answers before its first item.
  const changed = plan.categories.filter((spec) => changedCategories === 'all' || changedCategories.has(spec.dir) || spec.itemCount === 0)
  return [
    ...feedDocumentsOf(plan.all),
    ...indexDocuments,
    ...changed.flatMap((spec) => [...feedDocumentsOf(spec), ...(config.output.html ? pageDocumentsOf(spec) : [])]),
    ...(config.output.opml ? [{ file: OPML_FILE, dir: '', render: () => renderOpml(plan, formats), check: checkOpml }] : []),
  ]
}

/**
 * Deletes `<category>/page/<n>.html` past each changed category's last page (retention or a
 * filter shrank it, or it is gone), and nothing else: only page files feedloom names are touched.
 */
async function removeSurplusPages(
  plan: SitePlan,
  config: Config,
  changedCategories: ReadonlySet<string> | 'all',
  dryRun: boolean,
): Promise<{ removed: string[]; failed: PublishResult['failed'] }> {
  const pageCounts = new Map(plan.categories.map((spec) => [spec.dir, countPages(spec.itemCount, pageSizeOf(config, spec.dir))]))
  const categories = [...(changedCategories === 'all' ? pageCounts.keys() : changedCategories)].filter((dir) => SLUG_PATTERN.test(dir))
  const surplus = (
    await mapConcurrently(categories, CAPS.maxConcurrentWrites, async (dir) => {
      const names = await readdir(path.join(config.output.dir, dir, PAGES_DIR)).catch(() => [])
      const pageCount = pageCounts.get(dir) ?? 0
      return names
        .filter((name) => Number(PAGE_FILE.exec(name)?.[1] ?? 0) > Math.max(pageCount, 1))
        .map((name) => path.posix.join(dir, PAGES_DIR, name))
    })
  ).flat()
  const result: { removed: string[]; failed: PublishResult['failed'] } = { removed: [], failed: [] }
  await mapConcurrently(surplus, CAPS.maxConcurrentWrites, async (file) => {
    try {
      if (!dryRun) await rm(path.join(config.output.dir, file))
      result.removed.push(file)
    } catch (err) {
      result.failed.push({ file, reason: `cannot remove ${file}: ${err instanceof Error ? err.message : String(err)}` })
    }
  })
  result.removed.sort()
  return result
}

async function publishDocument(outputDir: string, { file, dir, render, check }: PlannedDocument, dryRun: boolean): Promise<DocumentOutcome> {
  if (dir !== '' && !SLUG_PATTERN.test(dir)) {
    return { file, outcome: 'failed', reason: `category "${dir}" is not a safe directory name` }
  }
  let text: string
  try {
    text = await render()
  } catch (err) {
    // feed@6 throws on some of what the check rejects: `new URL` on a relative link, toISOString on an invalid date.
    return { file, outcome: 'failed', reason: `cannot render: ${err instanceof Error ? err.message : String(err)}` }
  }
  const problems = check(text)
  if (problems.length > 0) return { file, outcome: 'failed', reason: describeProblems(problems) }
  try {
    return { file, outcome: await writeIfChanged(path.join(outputDir, file), text, { dryRun }) }
  } catch (err) {
    return { file, outcome: 'failed', reason: err instanceof FeedloomError ? err.message : String(err) }
  }
}

function describeProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_REASON_PROBLEMS).join('; ')
  const hidden = problems.length - MAX_REASON_PROBLEMS
  return hidden > 0 ? `${shown}; and ${hidden} more` : shown
}

function summarizeOutcomes(outcomes: DocumentOutcome[]): PublishResult {
  const result: PublishResult = { written: [], unchanged: 0, failed: [], removed: [] }
  for (const outcome of outcomes) {
    if (outcome.outcome === 'failed') result.failed.push({ file: outcome.file, reason: outcome.reason })
    else if (outcome.outcome === 'written') result.written.push(outcome.file)
    else result.unchanged += 1
  }
  return result
}
