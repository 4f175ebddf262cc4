import { readdir, readFile, realpath, rm } from 'node:fs/promises'
import path from 'node:path'
import { CAPS } from '../caps.js'
import { removeTempFiles } from '../fsx/write-file-atomic.js'
import type { StoredItem } from '../types.js'
import { checkJekyllPost } from './check-output.js'
import { mapConcurrently } from './map-concurrently.js'
import { checkInfoCodeFileName, jekyllPostFileName, renderJekyllPost, type JekyllConfig } from './render-jekyll-post.js'
import { writeIfChanged, type WriteOutcome } from './write-if-changed.js'

export interface PublishJekyllPostsOptions {
  /** Published items (already filtered), in any order. */
  items: readonly StoredItem[]
  /** The stored item with this infoCode: a post file that is exactly its post is feedloom's even when unrecorded. */
  findStoredItem: (infoCode: string) => Promise<StoredItem | undefined>
  /**
   * The posts feedloom wrote, relative to output.dir, as the store recorded them; undefined for a
   * store written before the record existed. Only these, and files that are byte for byte what
   * feedloom renders for a stored item, are ever replaced or removed.
   */
  recordedPosts: readonly string[] | undefined
  jekyll: JekyllConfig
  /** output.dir, absolute. */
  outputDir: string
  timeZone: string
  categoryTitles: ReadonlyMap<string, string>
  /** Posts of these categories are re-rendered; a live post whose file is missing is written whatever its category. */
  changedCategories: ReadonlySet<string> | 'all'
  /** The live window ends here. */
  now: Date
  /** Compare and list only: nothing is written or deleted. @default false */
  dryRun?: boolean
}

export type PostOutcome = { file: string; outcome: WriteOutcome } | { file: string; outcome: 'failed'; reason: string }

export interface PublishJekyllPostsResult {
  outcomes: PostOutcome[]
  /** Posts that left the live window (or whose item is no longer published), relative to output.dir. */
  removed: string[]
  /**
   * Post-named files of a store without a record that feedloom cannot show it wrote: left in
   * place. Reported once, as the record exists from then on.
   */
  leftAlone: string[]
  /** The record to store: the posts feedloom owns now. Undefined when the record must stay as it was. */
  posts: string[] | undefined
}

export const DAY_MS = 86_400_000

/** What this module writes; any other file in the folder is left alone. */
const POST_FILE = /^\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]+\.md$/

/**
 * Makes the posts folder hold exactly the posts of the items published within `liveDays` of
 * `now`: writes those of changed categories (and any that are missing) when their bytes change,
 * and deletes the others, but only files feedloom wrote (recorded, or byte for byte its own
 * rendering), and never outside output.dir. Items stay in the store; only their post files go.
 */
export async function publishJekyllPosts(options: PublishJekyllPostsOptions): Promise<PublishJekyllPostsResult> {
  const { items, jekyll, outputDir, timeZone, categoryTitles, changedCategories, now, dryRun = false } = options
  const postsDir = path.resolve(outputDir, jekyll.dir)
  const unchangedRecord = options.recordedPosts === undefined ? undefined : [...options.recordedPosts]
  const refusal = await checkPostsDir(outputDir, postsDir)
  if (refusal !== undefined) {
    return { outcomes: [{ file: jekyll.dir, outcome: 'failed', reason: refusal }], removed: [], leftAlone: [], posts: unchangedRecord }
  }
  // Best effort: the temp files of a killed run's posts, which listPostFiles does not count as posts.
  if (!dryRun) await removeTempFiles(postsDir).catch(() => undefined)
  const listed = await listPostFiles(postsDir)
  if (typeof listed === 'string') {
    return { outcomes: [{ file: jekyll.dir, outcome: 'failed', reason: listed }], removed: [], leftAlone: [], posts: unchangedRecord }
  }
  const existing = new Set(listed)
  const recorded = new Set(options.recordedPosts ?? [])
  const fileOf = (fileName: string): string => path.posix.join(jekyll.dir, fileName)
  const renderText = (item: StoredItem): string => {
    const categoryTitle = categoryTitles.get(item.category) ?? item.categoryTitle ?? item.category
    return renderJekyllPost(item, { jekyll, timeZone, categoryTitle }).text
  }
  const oldestMs = now.getTime() - jekyll.liveDays * DAY_MS
  // An invalid date compares false, so such an item is never live.
  const live = items.filter((item) => item.infoCode !== undefined && Date.parse(item.published) >= oldestMs)
  const liveFiles = new Map<string, StoredItem>()
  const unsafe: PostOutcome[] = []
  for (const item of live) {
    const reason = checkInfoCodeFileName(item.infoCode ?? '')
    if (reason === undefined) liveFiles.set(jekyllPostFileName(item, timeZone), item)
    else unsafe.push({ file: jekyll.dir, outcome: 'failed', reason: `item ${item.id}: ${reason}` })
  }
  const owned = new Set<string>()
  const liveWork = mapConcurrently([...liveFiles], CAPS.maxConcurrentWrites, async ([fileName, item]): Promise<PostOutcome | undefined> => {
    const file = fileOf(fileName)
    const isOurs = !existing.has(fileName) || recorded.has(file)
    const isChanged = changedCategories === 'all' || changedCategories.has(item.category)
    if (isOurs && existing.has(fileName)) owned.add(file)
    if (isOurs && !isChanged && existing.has(fileName)) return undefined
    const text = renderText(item)
    if (!isOurs) {
      // Someone else's file under this post's name, unless it is byte for byte this very post.
      if (!(await hasBytes(path.join(postsDir, fileName), text))) {
        return { file, outcome: 'failed', reason: `${file} was not written by feedloom: left as it is (remove it to let feedloom write this post)` }
      }
      owned.add(file)
      return { file, outcome: 'unchanged' }
    }
    const problems = checkJekyllPost(text)
    if (problems.length > 0) return { file, outcome: 'failed', reason: problems.join('; ') }
    try {
      const outcome = await writeIfChanged(path.join(postsDir, fileName), text, { dryRun })
      owned.add(file)
      return { file, outcome }
    } catch (err) {
      return { file, outcome: 'failed', reason: messageOf(err) }
    }
  })
  const outcomes = (await liveWork).filter((outcome) => outcome !== undefined)
  const stale = [...existing].filter((fileName) => !liveFiles.has(fileName)).sort()
  const adoptable = await indexPostsByFile(options.findStoredItem, stale.filter((fileName) => !recorded.has(fileOf(fileName))), timeZone)
  const leftAlone: string[] = []
  const removals = await mapConcurrently(stale, CAPS.maxConcurrentWrites, async (fileName): Promise<Removal | undefined> => {
    const file = fileOf(fileName)
    const item = adoptable.get(fileName)
    const isOurs = recorded.has(file) || (item !== undefined && (await hasBytes(path.join(postsDir, fileName), renderText(item))))
    if (!isOurs) {
      if (options.recordedPosts === undefined) leftAlone.push(file)
      return undefined
    }
    if (dryRun) return { file, outcome: 'removed' }
    const removal = await removePost(postsDir, file)
    if (removal.outcome === 'failed') owned.add(file)
    return removal
  })
  const done = removals.filter((removal) => removal !== undefined)
  return {
    outcomes: [...unsafe, ...outcomes, ...done.filter((removal) => removal.outcome === 'failed')],
    removed: done.filter((removal) => removal.outcome === 'removed').map((removal) => removal.file),
    leftAlone: leftAlone.sort(),
    posts: [...owned].sort(),
  }
}

/**
 * Why posts may not go to `postsDir`, or undefined when they may: it must be output.dir or a
 * folder inside it, also once symbolic links are followed, so that no configuration can make
 * feedloom write or delete posts anywhere else.
 */
async function checkPostsDir(outputDir: string, postsDir: string): Promise<string | undefined> {
  if (!isInside(outputDir, postsDir)) return `posts folder ${postsDir} is outside output.dir ${outputDir}: no post written or removed`
  const [realOutputDir, realPostsDir] = await Promise.all([resolveExistingPath(outputDir), resolveExistingPath(postsDir)])
  if (!isInside(realOutputDir, realPostsDir)) {
    return `posts folder ${postsDir} leads to ${realPostsDir}, outside output.dir ${outputDir}: no post written or removed`
  }
  return undefined
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child)
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

/** The path with symbolic links resolved as far as it exists; the missing rest is appended as written. */
async function resolveExistingPath(target: string): Promise<string> {
  try {
    return await realpath(target)
  } catch {
    const parent = path.dirname(target)
    return parent === target ? target : path.join(await resolveExistingPath(parent), path.basename(target))
  }
}

/**
 * The stored items whose post would have one of these file names, by that name: only the infoCodes
 * the names carry are looked up, so a folder of hand-written posts costs a lookup per file.
 */
async function indexPostsByFile(
  findStoredItem: PublishJekyllPostsOptions['findStoredItem'],
  fileNames: readonly string[],
  timeZone: string,
): Promise<Map<string, StoredItem>> {
  const byFile = new Map<string, StoredItem>()
  const wanted = new Set(fileNames)
  // `YYYY-MM-DD-` before the infoCode, `.md` after it.
  const infoCodes = new Set(fileNames.map((fileName) => fileName.slice('YYYY-MM-DD-'.length, -'.md'.length)))
  for (const infoCode of infoCodes) {
    const item = await findStoredItem(infoCode)
    if (item?.infoCode !== infoCode || Number.isNaN(Date.parse(item.published))) continue
    const fileName = jekyllPostFileName(item, timeZone)
    if (wanted.has(fileName)) byFile.set(fileName, item)
  }
  return byFile
}

async function hasBytes(file: string, text: string): Promise<boolean> {
  try {
    return (await readFile(file)).equals(Buffer.from(text, 'utf8'))
  } catch {
    return false
  }
}

/** Post file names in the folder (none when it does not exist yet), or why it cannot be read. */
async function listPostFiles(postsDir: string): Promise<string[] | string> {
  try {
    const entries = await readdir(postsDir, { withFileTypes: true })
    return entries.filter((entry) => entry.isFile() && POST_FILE.test(entry.name)).map((entry) => entry.name)
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return []
    return `cannot list ${postsDir}: ${messageOf(err)}`
  }
}

type Removal = { file: string; outcome: 'removed' } | { file: string; outcome: 'failed'; reason: string }

async function removePost(postsDir: string, file: string): Promise<Removal> {
  try {
    await rm(path.join(postsDir, path.posix.basename(file)), { force: true })
    return { file, outcome: 'removed' }
  } catch (err) {
    return { file, outcome: 'failed', reason: `cannot remove: ${messageOf(err)}` }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
