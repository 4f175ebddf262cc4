import path from 'node:path'
import type { Config } from '../config/config-schema.js'
import { FeedloomError } from '../errors.js'
import type { StoredItem } from '../types.js'
import { checkOutput } from './check-output.js'
import { OUTPUT_FILE_NAMES, planFeeds, type FeedSpec, type OutputFormat } from './plan-feeds.js'
import { renderAtom } from './render-atom.js'
import { renderJsonFeed } from './render-json-feed.js'
import { renderRss } from './render-rss.js'
import { writeIfChanged, type WriteOutcome } from './write-if-changed.js'

export interface PublishOptions {
  /** All live items (from the store), in any order. */
  items: readonly StoredItem[]
  /** Uses site, output (dir already absolute) and categories. */
  config: Config
  /** Categories whose items changed this cycle; 'all' for `build`. The all-categories feeds are regenerated whenever any category is. */
  changedCategories: ReadonlySet<string> | 'all'
}

export interface PublishResult {
  /** Paths relative to output.dir whose bytes changed. */
  written: string[]
  /** Files regenerated with identical bytes (not rewritten). */
  unchanged: number
  /** Failed the pre-publish check or the write; the old file is kept. */
  failed: { file: string; reason: string }[]
}

type DocumentOutcome = { file: string; outcome: WriteOutcome } | { file: string; outcome: 'failed'; reason: string }

const RENDERERS: Readonly<Record<OutputFormat, (spec: FeedSpec) => string>> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

/** Same as the config schema's slug: a category becomes a directory, so it must be one path segment. */
const CATEGORY_DIR = /^[a-z0-9][a-z0-9-]*$/

/** The reason text shows this many problems; a document with one bad item often has several. */
const MAX_REASON_PROBLEMS = 3

/**
 * Regenerates the RSS, Atom and JSON feeds of the changed categories and of all categories
 * together. Each document is checked before it replaces the published file, and written only
 * when its bytes changed. Never throws for a single document: failures are in the result.
 */
export async function publishOutputs({ items, config, changedCategories }: PublishOptions): Promise<PublishResult> {
  const formats = (Object.keys(RENDERERS) as OutputFormat[]).filter((format) => config.output.formats.includes(format))
  const feeds = planFeeds({ items, config, changedCategories })
  const outcomes = await Promise.all(
    feeds.flatMap((spec) => formats.map((format) => publishDocument(config.output.dir, spec, format))),
  )
  return summarizeOutcomes(outcomes)
}

async function publishDocument(outputDir: string, spec: FeedSpec, format: OutputFormat): Promise<DocumentOutcome> {
  const file = path.posix.join(spec.dir, OUTPUT_FILE_NAMES[format])
  if (spec.dir !== '' && !CATEGORY_DIR.test(spec.dir)) {
    return { file, outcome: 'failed', reason: `category "${spec.dir}" is not a safe directory name` }
  }
  let text: string
  try {
    text = RENDERERS[format](spec)
  } catch (err) {
    // feed@6 throws on some of what the check rejects: `new URL` on a relative link, toISOString on an invalid date.
    return { file, outcome: 'failed', reason: `cannot render: ${err instanceof Error ? err.message : String(err)}` }
  }
  const problems = checkOutput(format, text)
  if (problems.length > 0) return { file, outcome: 'failed', reason: describeProblems(problems) }
  try {
    return { file, outcome: await writeIfChanged(path.join(outputDir, file), text) }
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
  const result: PublishResult = { written: [], unchanged: 0, failed: [] }
  for (const outcome of outcomes) {
    if (outcome.outcome === 'failed') result.failed.push({ file: outcome.file, reason: outcome.reason })
    else if (outcome.outcome === 'written') result.written.push(outcome.file)
    else result.unchanged += 1
  }
  return result
}
