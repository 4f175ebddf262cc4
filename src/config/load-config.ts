import { isAbsolute, parse, relative, resolve, sep } from 'node:path'
import type { z } from 'zod'
import { ConfigError } from '../errors.js'
import { configSchema, type Config, DEFAULT_STORE_PATH } from './config-schema.js'
import { describeSyntaxErrors } from './describe-syntax-errors.js'
import { knownKeysAt } from './known-keys-at.js'
import { parseJsonc } from './parse-jsonc.js'
import { suggestName } from './suggest-name.js'

export interface LoadConfigOptions {
  /** The text of feeds.config.json. */
  fileText: string
  /** Folder relative paths in the file are resolved against (the config file's folder). */
  baseDir: string
  /** Only `FEEDLOOM_*` variables are read: SITE_URL, STORE_PATH, STORE_URL, OUTPUT_DIR. */
  env?: Readonly<Record<string, string | undefined>>
}

/** Parses, validates and resolves a config; every problem is collected into one ConfigError. */
export function loadConfig({ fileText, baseDir, env = {} }: LoadConfigOptions): Readonly<Config> {
  const { value: json, errors } = parseJsonc(fileText)
  if (errors.length > 0) throw new ConfigError(describeSyntaxErrors(fileText, errors))
  const input = applyEnv(json, env)
  const parsed = configSchema.safeParse(input)
  // Categories are checked on the file as written too, so one run lists them with the other problems.
  if (!parsed.success) throw new ConfigError([...parsed.error.issues.flatMap((issue) => formatIssue(issue, input)), ...checkCategories(input)])
  const config = parsed.data
  // Before paths are resolved: the default is compared as written.
  const storeProblems =
    config.store.url !== undefined && config.store.path !== DEFAULT_STORE_PATH
      ? ['store.url: a PostgreSQL store has no file, so store.path cannot be set with it; remove one of them']
      : []
  config.store.path = resolvePath(baseDir, config.store.path)
  config.output.dir = resolvePath(baseDir, config.output.dir)
  const problems = [...storeProblems, ...crossCheck(config), ...checkCategories(config), ...checkPlacement(config, baseDir)]
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(config)
}

/**
 * Everything in output.dir is published (by `serve` or a static host), and the Jekyll folder is
 * written and cleaned: neither may reach the config, the store or anything outside. Paths are
 * compared as written (resolved, not followed through symlinks).
 */
function checkPlacement(config: Config, configDir: string): string[] {
  const problems: string[] = []
  const outputDir = config.output.dir
  if (isInside(configDir, outputDir)) {
    const what = parse(outputDir).root === outputDir ? 'is the root of the file system' : `holds the config's own folder ${configDir}`
    problems.push(`output.dir: ${what}; everything in output.dir is published, the config and the store too. Use a folder of its own, such as "out"`)
  }
  if (isInside(config.store.path, outputDir)) {
    problems.push(`store.path: ${config.store.path} is inside output.dir ${outputDir}, which is published; keep the store outside it, such as "store/db.json"`)
  }
  const jekyllDir = config.output.jekyll?.dir
  if (jekyllDir !== undefined) {
    const postsDir = resolve(outputDir, jekyllDir)
    if (isAbsolute(jekyllDir)) problems.push(`output.jekyll.dir: must be a folder relative to output.dir, such as "_posts"`)
    else if (postsDir === outputDir || !isInside(postsDir, outputDir)) {
      problems.push(`output.jekyll.dir: "${jekyllDir}" leaves output.dir; posts are written and removed there, so it must be a folder inside it, such as "_posts"`)
    }
  }
  return problems
}

/** Whether `path` is `folder` or lies under it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

function applyEnv(json: unknown, env: LoadConfigOptions['env'] = {}): unknown {
  if (!isPlainObject(json)) return json
  const copy = structuredClone(json)
  const set = (section: string, key: string, value: string | undefined) => {
    if (value === undefined || value === '') return
    const target = isPlainObject(copy[section]) ? copy[section] : (copy[section] = {})
    ;(target as Record<string, unknown>)[key] = value
  }
  set('site', 'url', env.FEEDLOOM_SITE_URL)
  set('store', 'path', env.FEEDLOOM_STORE_PATH)
  set('store', 'url', env.FEEDLOOM_STORE_URL)
  set('output', 'dir', env.FEEDLOOM_OUTPUT_DIR)
  return copy
}

function crossCheck(config: Config): string[] {
  const problems: string[] = []
  const seenIds = new Map<string, number>()
  const seenUrls = new Map<string, number>()
  config.sources.forEach((source, index) => {
    const firstId = seenIds.get(source.id)
    if (firstId !== undefined) problems.push(`sources[${index}].id: duplicate id "${source.id}" (also sources[${firstId}])`)
    else seenIds.set(source.id, index)
    const urls = source.type === 'share' ? source.urls.map((url, i) => [url, `urls[${i}]`] as const) : [[source.url, 'url'] as const]
    for (const [url, field] of urls) {
      const firstUrl = seenUrls.get(url)
      if (firstUrl !== undefined) problems.push(`sources[${index}].${field}: duplicate url (also sources[${firstUrl}])`)
      else seenUrls.set(url, index)
    }
  })
  for (const [index, source] of config.sources.entries()) {
    if (source.type === 'json' && !source.fields.infoCode && !source.fields.link && !source.fields.guid && !source.shareLink) {
      problems.push(`sources[${index}].fields: needs infoCode, link or guid (or a shareLink) to tell items apart`)
    }
  }
  return problems
}

/**
 * A source's `category` must be one of `categories` once that lists any: a typo would otherwise
 * start a new category silently. A config without `categories` names its categories in the sources.
 */
function checkCategories(input: unknown): string[] {
  if (!isPlainObject(input) || !isPlainObject(input.categories) || !Array.isArray(input.sources)) return []
  const defined = Object.keys(input.categories)
  if (defined.length === 0) return []
  return input.sources.flatMap((source: unknown, index) => {
    if (!isPlainObject(source) || typeof source.category !== 'string' || defined.includes(source.category)) return []
    return [`sources[${index}].category: "${source.category}" is not in categories${suggestName(source.category, defined)}; add it there or fix the name`]
  })
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const path = formatPath(issue.path)
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, issue.path, input)
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${suggestName(key, known)}`)
  }
  return [`${path}: ${issue.message}`]
}

/** `['sources', 2, 'url']` → `sources[2].url`, the way users read JSON paths. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else text += text === '' ? String(part) : `.${String(part)}`
  }
  return text === '' ? '(root)' : text
}

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
