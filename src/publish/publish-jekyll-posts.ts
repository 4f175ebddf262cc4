import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { CAPS } from '../caps.js'
import type { StoredItem } from '../types.js'
import { checkJekyllPost } from './check-output.js'
import { mapConcurrently } from './map-concurrently.js'
import { checkInfoCodeFileName, jekyllPostFileName, renderJekyllPost, type JekyllConfig } from './render-jekyll-post.js'
import { writeIfChanged, type WriteOutcome } from './write-if-changed.js'

export interface PublishJekyllPostsOptions {
  /** Published items (already filtered), in any order. */
  items: readonly StoredItem[]
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
}

export const DAY_MS = 86_400_000

/** What this module writes; any other file in the folder is left alone. */
const POST_FILE = /^\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]+\.md$/

/**
 * Makes the posts folder hold exactly the posts of the items published within `liveDays` of
 * `now`: writes those of changed categories (and any that are missing) when their bytes change,
 * and deletes the others. Items stay in the store; only their post files go.
 */
export async function publishJekyllPosts(options: PublishJekyllPostsOptions): Promise<PublishJekyllPostsResult> {
  const { items, jekyll, outputDir, timeZone, categoryTitles, changedCategories, now, dryRun = false } = options
  const postsDir = path.join(outputDir, jekyll.dir)
  const listed = await listPostFiles(postsDir)
  if (typeof listed === 'string') return { outcomes: [{ file: jekyll.dir, outcome: 'failed', reason: listed }], removed: [] }
  const existing = new Set(listed)
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
  const toWrite = [...liveFiles].filter(
    ([fileName, item]) => changedCategories === 'all' || changedCategories.has(item.category) || !existing.has(fileName),
  )
  const outcomes = await mapConcurrently(toWrite, CAPS.maxConcurrentWrites, async ([fileName, item]): Promise<PostOutcome> => {
    const file = path.posix.join(jekyll.dir, fileName)
    const categoryTitle = categoryTitles.get(item.category) ?? item.categoryTitle ?? item.category
    const { text } = renderJekyllPost(item, { jekyll, timeZone, categoryTitle })
    const problems = checkJekyllPost(text)
    if (problems.length > 0) return { file, outcome: 'failed', reason: problems.join('; ') }
    try {
      return { file, outcome: await writeIfChanged(path.join(postsDir, fileName), text, { dryRun }) }
    } catch (err) {
      return { file, outcome: 'failed', reason: messageOf(err) }
    }
  })
  const stale = [...existing].filter((fileName) => !liveFiles.has(fileName)).sort()
  const removals = await Promise.all(
    stale.map((fileName): Promise<Removal> | Removal => {
      const file = path.posix.join(jekyll.dir, fileName)
      return dryRun ? { file, outcome: 'removed' } : removePost(postsDir, file)
    }),
  )
  return {
    outcomes: [...unsafe, ...outcomes, ...removals.filter((removal) => removal.outcome === 'failed')],
    removed: removals.filter((removal) => removal.outcome === 'removed').map((removal) => removal.file),
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
