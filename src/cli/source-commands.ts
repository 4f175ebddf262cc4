import { UsageError } from '../errors.js'
import { addSource, type AddSourceOptions } from '../manage/add-source.js'
import type { ConfigTarget } from '../manage/config-target.js'
import { exportOpml } from '../manage/export-opml.js'
import type { FeedLink } from '../manage/find-feed-links.js'
import { importOpml } from '../manage/import-opml.js'
import { removeSource } from '../manage/remove-source.js'
import { sourceUrlsOf } from '../manage/source-urls.js'
import { WORKER_PICKS_UP } from '../schedule/worker-picks-up.js'
import type { CommandContext } from './command-context.js'
import { formatTable } from './format-table.js'

const KIND_LABELS: Record<FeedLink['kind'], string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' }

async function loadTarget(context: CommandContext): Promise<ConfigTarget> {
  const { fileText, config } = await context.loadFile()
  return { path: context.configPath, fileText, config, env: context.io.env }
}

/** `feedloom add <url>`: works out the source, then appends it to feeds.config.json. */
export async function addSourceCommand(context: CommandContext, options: AddSourceOptions): Promise<number> {
  const { io } = context
  const plan = await addSource(await loadTarget(context), options)
  if (plan.kind === 'choose') {
    io.stdout(`${options.url} links ${plan.links.length} feeds:`)
    for (const link of plan.links) io.stdout(`  ${link.title ?? '(untitled)'} (${KIND_LABELS[link.kind]})  ${link.url}`)
    throw new UsageError(`${options.url} links ${plan.links.length} feeds; nothing was added`, `run again with the one you want: feedloom add <feed url>`)
  }
  const { source } = plan
  const where = source.category === undefined ? '' : `, category ${String(source.category)}`
  const url = source.type === 'share' ? (source.urls as string[])[0] : String(source.url)
  io.stdout(`added source "${source.id}" (${source.type}${where}): ${String(source.title ?? '(untitled)')} ${url}`)
  context.log.info(WORKER_PICKS_UP)
  return 0
}

/** `feedloom remove <id>`: drops the source from feeds.config.json, leaving the rest of the file as it was. */
export async function removeSourceCommand(context: CommandContext, id: string): Promise<number> {
  const source = await removeSource(await loadTarget(context), id)
  context.io.stdout(`removed source "${id}" (${source.type}): ${sourceUrlsOf(source).join(' ')}`)
  context.log.info(WORKER_PICKS_UP)
  return 0
}

/** `feedloom list [--json]`: the configured sources, as a table or a JSON array of objects with `id`. */
export async function listSources(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const config = await context.load()
  if (options.json) {
    const rows = config.sources.map((source) => ({
      id: source.id,
      type: source.type,
      title: source.title,
      category: source.category,
      ...(source.type === 'share' ? { urls: source.urls } : { url: source.url }),
    }))
    context.io.stdout(JSON.stringify(rows, null, 2))
    return 0
  }
  if (config.sources.length === 0) {
    context.io.stdout('no sources: add one with feedloom add <url>')
    return 0
  }
  const rows = config.sources.map((source) => {
    const urls = sourceUrlsOf(source)
    const url = urls.length > 1 ? `${urls[0]} (+${urls.length - 1} more)` : (urls[0] ?? '')
    return [source.id, source.type, source.category ?? '(by media)', url]
  })
  context.io.stdout(formatTable(['ID', 'TYPE', 'CATEGORY', 'URL'], rows))
  return 0
}

/** `feedloom import-opml <file>`: adds the file's feeds; reports each outline left out and why. */
export async function importOpmlCommand(context: CommandContext, file: string): Promise<number> {
  const { io, log } = context
  const plan = await importOpml(await loadTarget(context), file)
  for (const skipped of plan.skipped) log.warn(`${file} line ${skipped.line}: skipped "${skipped.label}": ${skipped.reason}`, { line: skipped.line, reason: skipped.reason })
  const categories = plan.categories.length > 0 ? ` and ${plan.categories.length} new categories` : ''
  io.stdout(`imported ${plan.sources.length} sources${categories} from ${file}; skipped ${plan.skipped.length}`)
  if (plan.sources.length > 0) log.info(WORKER_PICKS_UP)
  return 0
}

/** `feedloom export-opml [--output file]`: the feed sources as OPML 2.0, on stdout or written atomically to a file. */
export async function exportOpmlCommand(context: CommandContext, options: { output?: string }): Promise<number> {
  const config = await context.load()
  const { text, skipped } = await exportOpml(config, options.output)
  for (const source of skipped) context.log.warn(`source ${source.id} not exported: ${source.reason}`, { sourceId: source.id })
  if (options.output === undefined) {
    context.io.stdout(text.replace(/\n$/, ''))
    return 0
  }
  const exported = config.sources.length - skipped.length
  context.log.info(`exported ${exported} sources to ${options.output}`)
  return 0
}
