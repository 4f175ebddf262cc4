import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, watch } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { bundleCli } from '../../scripts/bundle-cli.js'
import type { Route } from '../helpers/feed-server.js'

const repoRoot = resolve(import.meta.dirname, '../..')

/**
 * Bundles the CLI once for the child processes, as `npm run build` does (scripts/bundle-cli.ts), so
 * the kill tests run what bin/feedloom.js runs. A kill test spends most of its time starting
 * children: the bundle starts in a fraction of a second, tsx in two. The bundle goes to a folder
 * of its own under node_modules/.cache (so that packages still resolve), never to the shared
 * dist/ that another build may be rewriting.
 * @returns the path of the bundled CLI
 */
export async function buildCli(): Promise<{ binPath: string; remove(): Promise<void> }> {
  const buildDir = join(repoRoot, 'node_modules/.cache/feedloom-hard-stops', String(process.pid))
  await bundleCli(buildDir)
  return { binPath: join(buildDir, 'feedloom.mjs'), remove: () => rm(buildDir, { recursive: true, force: true }) }
}

/** How one child run ended and when it was stopped, relative to the moment it took the store lock. */
export interface ChildRun {
  /** Killed before it took the lock (loading modules, reading config), during its cycle, or just after a write began. */
  killedAt: 'startup' | 'cycle' | 'write' | 'not-killed'
  /** ms after the lock appeared; undefined when it never did. */
  killAfterLockMs?: number
  /** ms from spawn to the lock appearing; undefined when it never did. */
  lockAfterMs?: number
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * When to kill: this many ms after the child took the lock; after spawn unless it took it by then;
 * this many ms after the first write under `watchDir` whose file name matches (an output's or the
 * store's temp file appearing); or never.
 */
export type KillPlan =
  | { afterLockMs: number }
  | { beforeLockMs: number }
  | { afterWriteMs: number; watchDir: string; fileName: RegExp }
  | { never: true }

/**
 * Runs `node bin.js run --config …` and SIGKILLs it as planned. The lock file appearing is the
 * sign the cycle has started (openStore takes it first): only from then on can a kill land in a
 * fetch, a parse, an output write or the store write.
 */
export async function runAndKill(binPath: string, configPath: string, lockPath: string, plan: KillPlan): Promise<ChildRun> {
  const child = spawn(process.execPath, [binPath, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  )
  let done = false
  void exited.then(() => (done = true))
  const wait = (ms: number) => Promise.race([sleep(ms), exited])
  const startedMs = performance.now()
  let killedAt: ChildRun['killedAt'] = 'not-killed'
  let killAfterLockMs: number | undefined
  let lockAfterMs: number | undefined
  if ('afterWriteMs' in plan) {
    const written = watchForWrite(plan.watchDir, plan.fileName)
    await Promise.race([written.seen, exited])
    written.stop()
    if (!done) {
      await wait(plan.afterWriteMs)
      if (!done) {
        child.kill('SIGKILL')
        killedAt = 'write'
      }
    }
  } else if ('beforeLockMs' in plan) {
    await wait(plan.beforeLockMs)
    if (!done && !existsSync(lockPath)) {
      child.kill('SIGKILL')
      killedAt = 'startup'
    }
  } else {
    while (!done && !existsSync(lockPath)) await wait(1)
    if (!done) lockAfterMs = performance.now() - startedMs
    if (!done && 'afterLockMs' in plan) {
      await wait(plan.afterLockMs)
      if (!done) {
        child.kill('SIGKILL')
        killedAt = 'cycle'
        killAfterLockMs = plan.afterLockMs
      }
    }
  }
  const { code, signal } = await exited
  // A run that finished on its own just before the kill was sent is not a kill.
  if (signal !== 'SIGKILL') killedAt = 'not-killed'
  return { killedAt, killAfterLockMs, lockAfterMs, exitCode: code, signal, ...output }
}

/** Resolves `seen` on the first change under `dir` to a file whose name matches (inotify: no polling delay). */
function watchForWrite(dir: string, fileName: RegExp): { seen: Promise<void>; stop(): void } {
  let stop = () => {}
  const seen = new Promise<void>((resolveSeen) => {
    const watcher = watch(dir, { recursive: true }, (_event, name) => {
      if (name !== null && fileName.test(name)) resolveSeen()
    })
    watcher.on('error', () => resolveSeen())
    stop = () => watcher.close()
  })
  return { seen, stop }
}

/** The cycle's own duration from its summary line (`…; 0.12 s`), in ms. */
export function cycleMsOf(stdout: string): number | undefined {
  const seconds = /; (\d+(?:\.\d+)?) s\s*$/m.exec(stdout)?.[1]
  return seconds === undefined ? undefined : Number(seconds) * 1000
}

export interface OutputCheck {
  /** Relative paths of files that are not whole: not well-formed XML, not JSON, an HTML page cut short. */
  broken: string[]
  /** Temp files left behind by a killed writer. */
  leftovers: string[]
  /** Relative path → sha256 of every whole file. */
  hashes: Map<string, string>
}

/** Reads every file under `dir` and checks each is whole for its kind; `hashOnly` skips the checks. */
export async function checkOutputs(dir: string, options: { hashOnly?: boolean } = {}): Promise<OutputCheck> {
  const check: OutputCheck = { broken: [], leftovers: [], hashes: new Map() }
  if (!existsSync(dir)) return check
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const name = relative(dir, path)
    if (/\.tmp$/.test(name)) {
      check.leftovers.push(name)
      continue
    }
    const bytes = await readFile(path)
    if (!options.hashOnly && !isWhole(name, bytes.toString('utf8'))) check.broken.push(name)
    check.hashes.set(name, createHash('sha256').update(bytes).digest('hex'))
  }
  return check
}

function isWhole(name: string, text: string): boolean {
  if (name.endsWith('.json')) {
    try {
      JSON.parse(text)
      return true
    } catch {
      return false
    }
  }
  if (name.endsWith('.xml') || name.endsWith('.opml')) return text.trim() !== '' && XMLValidator.validate(text) === true
  if (name.endsWith('.html')) return /<\/html>\s*$/i.test(text)
  return text.length > 0
}

/** Feeds that gain an item and revise another every generation, so that every run has writes to do. */
export function createChangingFeeds(feedCount: number, generation: () => number): Record<string, Route> {
  const routes: Record<string, Route> = {}
  for (let feed = 0; feed < feedCount; feed += 1) {
    routes[`/feed-${feed}.xml`] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(renderFeed(feed, generation()))
    }
  }
  return routes
}

const ITEMS_PER_FEED = 10
const PARAGRAPH = '<p>中国人民银行今日以利率招标方式开展了逆回购操作，以维护银行体系流动性合理充裕。</p>'

function renderFeed(feed: number, generation: number): string {
  const items: string[] = []
  for (let n = generation; n > Math.max(-1, generation - ITEMS_PER_FEED); n -= 1) {
    // The second newest item is revised every generation: an update, not only additions.
    const revision = n === generation - 1 ? ` (rev ${generation})` : ''
    const published = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toUTCString()
    items.push(
      `<item><title>feed ${feed} item ${n}${revision}</title><link>https://hard-stops.example/${feed}/${n}.html</link>` +
        `<guid>https://hard-stops.example/${feed}/${n}.html</guid><pubDate>${published}</pubDate>` +
        `<description><![CDATA[${PARAGRAPH.repeat(3)}${revision}]]></description></item>`,
    )
  }
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed ${feed}</title><link>https://hard-stops.example/${feed}/</link><description>d</description>${items.join('')}</channel></rss>`
}

export async function writeLaneConfig(dir: string, serverUrl: string, feedCount: number): Promise<string> {
  await mkdir(dir, { recursive: true })
  const configPath = join(dir, 'feeds.config.json')
  const config = {
    site: { title: 'hard stops', url: 'https://news.example.com/' },
    // Nothing is pruned: every item a run stored must be there after any later kill.
    store: { path: join(dir, 'store/db.json'), maxAgeDays: 36500, maxItemsPerCategory: 100_000 },
    output: { dir: join(dir, 'out'), itemsPerFeed: 30 },
    fetch: { timeoutMs: 5_000 },
    sources: Array.from({ length: feedCount }, (_, feed) => ({
      id: `feed-${feed}`,
      type: 'feed',
      url: `${serverUrl}/feed-${feed}.xml`,
      category: `category-${feed}`,
    })),
  }
  await writeFile(configPath, JSON.stringify(config, null, 2))
  return configPath
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms))
}
