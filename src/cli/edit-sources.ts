import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { removeArrayElement } from '../config/edit-json-text.js'
import { parseOpml } from '../config/parse-opml.js'
import { renderSourcesOpml } from '../config/render-sources-opml.js'
import { saveConfig, writeFileAtomic } from '../config/save-config.js'
import { appendSources } from './append-sources.js'
import type { CommandContext } from './command-context.js'
import { formatTable } from './format-table.js'
import { planOpmlImport } from './plan-opml-import.js'
import { sourceUrlsOf } from './source-urls.js'
import { UsageError } from './usage-error.js'
import { WORKER_PICKS_UP } from './worker-picks-up.js'

/** `feedloom remove <id>`: drops the source from feeds.config.json, leaving the rest of the file as it was. */
export async function removeSource(context: CommandContext, id: string): Promise<number> {
  const { fileText, config } = await context.loadFile()
  const index = config.sources.findIndex((source) => source.id === id)
  const source = config.sources[index]
  if (source === undefined) {
    const known = config.sources.map((s) => s.id).join(', ')
    throw new UsageError(`no source with id "${id}"`, known === '' ? 'the config has no sources' : `sources: ${known}`)
  }
  await saveConfig({ path: context.configPath, fileText: removeArrayElement(fileText, ['sources'], index), env: context.io.env })
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
export async function importOpml(context: CommandContext, file: string): Promise<number> {
  const { io, log } = context
  const { fileText, config } = await context.loadFile()
  let opmlText: string
  try {
    opmlText = await readFile(resolve(file), 'utf8')
  } catch (cause) {
    throw new UsageError(`cannot read ${file}: ${(cause as Error).message}`, undefined, { cause })
  }
  const plan = planOpmlImport(config, parseOpml(opmlText, file))
  for (const skipped of plan.skipped) log.warn(`${file} line ${skipped.line}: skipped "${skipped.label}": ${skipped.reason}`, { line: skipped.line, reason: skipped.reason })
  if (plan.sources.length > 0) {
    await saveConfig({ path: context.configPath, fileText: appendSources(fileText, plan), env: io.env })
  }
  const categories = plan.categories.length > 0 ? ` and ${plan.categories.length} new categories` : ''
  io.stdout(`imported ${plan.sources.length} sources${categories} from ${file}; skipped ${plan.skipped.length}`)
  if (plan.sources.length > 0) context.log.info(WORKER_PICKS_UP)
  return 0
}

/** `feedloom export-opml [--output file]`: the feed sources as OPML 2.0, on stdout or written atomically to a file. */
export async function exportOpml(context: CommandContext, options: { output?: string }): Promise<number> {
  const config = await context.load()
  const { text, skipped } = renderSourcesOpml(config)
  for (const source of skipped) context.log.warn(`source ${source.id} not exported: ${source.reason}`, { sourceId: source.id })
  if (options.output === undefined) {
    context.io.stdout(text.replace(/\n$/, ''))
    return 0
  }
  await writeFileAtomic(resolve(options.output), text)
  const exported = config.sources.length - skipped.length
  context.log.info(`exported ${exported} sources to ${options.output}`)
  return 0
}
