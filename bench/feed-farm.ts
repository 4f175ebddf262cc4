import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { createRandom, createStory, mixSeed, OUTLETS, type Story } from './create-story.js'
import { type FarmFeedFormat, renderFarmFeed } from './render-farm-feed.js'

export interface FeedFarmOptions {
  feeds: number
  itemsPerFeed: number
  /** Delay before every feed answer, 200 or 304. */
  latencyMs: number
  /** Changes every story, infoCode and byte. @default 1 */
  seed?: number
  /** Share of stories carried by 2–3 feeds. @default 0.2 */
  sharedFraction?: number
  /** @default 0 (ephemeral) */
  port?: number
}

/** What a correct aggregator holds after polling the farm once after every change. */
export interface FarmExpectation {
  /** Distinct stories ever served (by infoCode): what a deduplicating store must hold. */
  distinctStories: number
  /** Sum over feeds of the distinct stories each ever served: what a per-feed reader holds. */
  feedEntries: number
  /**
   * Distinct entry ids ever served (RSS guid `NW…`, Atom id `tag:…:NW…`): what a reader that
   * keys articles by guid across all feeds (newsboat) holds.
   */
  distinctGuids: number
  generation: number
}

export interface FarmCounters {
  requests: number
  ok: number
  notModified: number
  gzipped: number
  bytesSent: number
}

export interface AdvanceResult {
  generation: number
  changedFeedIds: string[]
  newStories: number
}

export interface FeedFarm {
  /** `http://127.0.0.1:<port>` */
  url: string
  feedUrls: string[]
  expected(): FarmExpectation
  counters(): FarmCounters
  /** Gives `fraction` of the feeds `items` new stories each (newest first; the oldest roll off). */
  advance(fraction: number, items: number): AdvanceResult
  /** Back to generation 0: the same bytes, ETags and dates as when created. */
  reset(): void
  /** Current body of each feed (uncompressed), for the parse-only floor. */
  bodies(ids?: readonly string[]): { id: string; body: Buffer }[]
  close(): Promise<void>
}

interface FeedSlot {
  index: number
  shared: boolean
}

interface FeedState {
  id: string
  format: FarmFeedFormat
  outlet: string
  path: string
  /** Newest first. */
  items: FeedSlot[]
  body: Buffer
  gzip: Buffer
  etag: string
  lastModified: string
  lastModifiedMs: number
}

const CONTENT_TYPES: Record<FarmFeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
}

/** A loopback HTTP server of N deterministic feeds of M items. */
export async function createFeedFarm(options: FeedFarmOptions): Promise<FeedFarm> {
  const seed = options.seed ?? 1
  const sharedFraction = options.sharedFraction ?? 0.2
  const counters: FarmCounters = { requests: 0, ok: 0, notModified: 0, gzipped: 0, bytesSent: 0 }
  const server = createServer((req, res) => handleRequest(req, res))
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const initial = assignStories(options.feeds, options.itemsPerFeed, seed, sharedFraction)
  const feeds: FeedState[] = initial.lists.map((items, f) => {
    const format: FarmFeedFormat = f % 3 === 2 ? 'atom' : 'rss'
    const id = `f${String(f).padStart(4, '0')}`
    return {
      id,
      format,
      outlet: OUTLETS[f % OUTLETS.length] as string,
      path: `/feeds/${id}.${format === 'rss' ? 'xml' : 'atom'}`,
      items,
      body: Buffer.alloc(0),
      gzip: Buffer.alloc(0),
      etag: '',
      lastModified: '',
      lastModifiedMs: 0,
    }
  })
  const byPath = new Map(feeds.map((feed) => [feed.path, feed]))
  const initialGuids = countGuids(feeds)
  const state = {
    generation: 0,
    nextIndex: initial.nextIndex,
    feedEntries: options.feeds * options.itemsPerFeed,
    distinctGuids: initialGuids,
  }
  const dirty = new Set<FeedState>()
  renderFeeds(feeds)

  function renderFeeds(list: readonly FeedState[]): void {
    const stories = new Map<number, Story>()
    const storyOf = (index: number): Story => {
      let story = stories.get(index)
      if (story === undefined) stories.set(index, (story = createStory(seed, index)))
      return story
    }
    for (const feed of list) {
      const items = feed.items.map((slot) => ({ story: storyOf(slot.index), shared: slot.shared }))
      const updatedMs = items[0]?.story.publishedMs ?? 0
      feed.body = Buffer.from(
        renderFarmFeed({ id: feed.id, format: feed.format, outlet: feed.outlet, selfUrl: url + feed.path, items, updatedMs }),
      )
      feed.gzip = gzipSync(feed.body)
      feed.etag = `"${createHash('sha1').update(feed.body).digest('hex').slice(0, 24)}"`
      // HTTP dates have one-second resolution.
      feed.lastModifiedMs = Math.floor(updatedMs / 1000) * 1000
      feed.lastModified = new Date(feed.lastModifiedMs).toUTCString()
    }
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestUrl = new URL(req.url ?? '/', url)
    const feed = byPath.get(requestUrl.pathname)
    if (feed !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      counters.requests++
      setTimeout(() => answerFeed(req, res, feed), options.latencyMs)
      return
    }
    if (req.method === 'POST' && requestUrl.pathname === '/advance') {
      const fraction = Number(requestUrl.searchParams.get('fraction') ?? '0.1')
      const items = Number(requestUrl.searchParams.get('items') ?? '5')
      return sendJson(res, { ...farm.advance(fraction, items), expected: farm.expected() })
    }
    if (req.method === 'POST' && requestUrl.pathname === '/reset') {
      farm.reset()
      return sendJson(res, farm.expected())
    }
    if (requestUrl.pathname === '/stats') return sendJson(res, { expected: farm.expected(), counters })
    if (requestUrl.pathname === '/urls') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${farm.feedUrls.join('\n')}\n`)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
  }

  function answerFeed(req: IncomingMessage, res: ServerResponse, feed: FeedState): void {
    const gzip = acceptsGzip(req.headers['accept-encoding'])
    // A gzip representation is a different representation (RFC 9110 §8.8.3), so it gets its own
    // strong tag; either tag means the client holds the current state.
    const etag = gzip ? `${feed.etag.slice(0, -1)}-gz"` : feed.etag
    const headers: Record<string, string> = {
      etag,
      'last-modified': feed.lastModified,
      vary: 'Accept-Encoding',
      'cache-control': 'no-cache',
    }
    if (isNotModified(req, feed)) {
      counters.notModified++
      res.writeHead(304, headers).end()
      return
    }
    const body = gzip ? feed.gzip : feed.body
    counters.ok++
    if (gzip) counters.gzipped++
    counters.bytesSent += body.byteLength
    res
      .writeHead(200, {
        ...headers,
        'content-type': CONTENT_TYPES[feed.format],
        'content-length': String(body.byteLength),
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      })
      .end(req.method === 'HEAD' ? undefined : body)
  }

  /** RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only when it is absent. */
  function isNotModified(req: IncomingMessage, feed: FeedState): boolean {
    const ifNoneMatch = req.headers['if-none-match']
    if (ifNoneMatch !== undefined) {
      const current = feed.etag.slice(1, -1)
      return ifNoneMatch.split(',').some((raw) => {
        const tag = raw.trim().replace(/^W\//, '')
        return tag === '*' || tag === `"${current}"` || tag === `"${current}-gz"`
      })
    }
    const since = Date.parse(req.headers['if-modified-since'] ?? '')
    return !Number.isNaN(since) && since >= feed.lastModifiedMs
  }

  const farm: FeedFarm = {
    url,
    feedUrls: feeds.map((feed) => url + feed.path),
    expected: () => ({
      distinctStories: state.nextIndex,
      feedEntries: state.feedEntries,
      distinctGuids: state.distinctGuids,
      generation: state.generation,
    }),
    counters: () => ({ ...counters }),
    advance(fraction, items) {
      state.generation++
      const random = createRandom(mixSeed(seed, 2, state.generation))
      const order = feeds.map((_, i) => i)
      const count = Math.min(feeds.length, Math.max(1, Math.round(feeds.length * fraction)))
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(random() * (order.length - i))
        ;[order[i], order[j]] = [order[j] as number, order[i] as number]
      }
      const changed = order.slice(0, count).sort((a, b) => a - b).map((i) => feeds[i] as FeedState)
      for (const feed of changed) {
        const fresh: FeedSlot[] = []
        for (let k = 0; k < items; k++) fresh.unshift({ index: state.nextIndex++, shared: false })
        feed.items = [...fresh, ...feed.items].slice(0, options.itemsPerFeed)
        // New stories are unique to their feed, so each is one more entry and one more guid.
        state.feedEntries += items
        state.distinctGuids += items
        dirty.add(feed)
      }
      renderFeeds(changed)
      return { generation: state.generation, changedFeedIds: changed.map((feed) => feed.id), newStories: count * items }
    },
    reset() {
      for (const feed of dirty) feed.items = initial.lists[feeds.indexOf(feed)] as FeedSlot[]
      renderFeeds([...dirty])
      dirty.clear()
      Object.assign(state, {
        generation: 0,
        nextIndex: initial.nextIndex,
        feedEntries: options.feeds * options.itemsPerFeed,
        distinctGuids: initialGuids,
      })
    },
    bodies(ids) {
      const wanted = ids === undefined ? undefined : new Set(ids)
      return feeds.filter((feed) => wanted?.has(feed.id) ?? true).map((feed) => ({ id: feed.id, body: feed.body }))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return farm
}

/**
 * Deals stories to feeds round-robin; a `sharedFraction` of them also go to 1–2 other feeds
 * with room left. Every feed ends with exactly `itemsPerFeed` distinct stories.
 */
function assignStories(
  feedCount: number,
  itemsPerFeed: number,
  seed: number,
  sharedFraction: number,
): { lists: FeedSlot[][]; nextIndex: number } {
  const lists: FeedSlot[][] = Array.from({ length: feedCount }, () => [])
  const random = createRandom(mixSeed(seed, 1))
  const hasRoom = (f: number): boolean => (lists[f] as FeedSlot[]).length < itemsPerFeed
  let filled = 0
  let cursor = 0
  let index = 0
  while (filled < feedCount * itemsPerFeed) {
    while (!hasRoom(cursor)) cursor = (cursor + 1) % feedCount
    const carriers = [cursor]
    cursor = (cursor + 1) % feedCount
    if (feedCount > 1 && random() < sharedFraction) {
      const copies = random() < 0.5 ? 1 : 2
      for (let c = 0, tries = 0; c < copies && tries < 16; tries++) {
        const f = Math.floor(random() * feedCount)
        if (!carriers.includes(f) && hasRoom(f)) {
          carriers.push(f)
          c++
        }
      }
    }
    carriers.forEach((f, i) => (lists[f] as FeedSlot[]).push({ index, shared: i > 0 }))
    filled += carriers.length
    index++
  }
  // Dealt oldest first; feeds list newest first.
  return { lists: lists.map((list) => list.reverse()), nextIndex: index }
}

function countGuids(feeds: readonly FeedState[]): number {
  const guids = new Set<string>()
  for (const feed of feeds) for (const slot of feed.items) guids.add(`${feed.format}:${slot.index}`)
  return guids.size
}

function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return (coding === 'gzip' || coding === 'x-gzip') && (q === undefined || Number(q.slice(2)) > 0)
  })
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(value, null, 2)}\n`)
}

/** `tsx bench/feed-farm.ts --feeds 200 --items 50 --latency-ms 50`: serve until Ctrl-C. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      feeds: { type: 'string', default: '200' },
      items: { type: 'string', default: '50' },
      'latency-ms': { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string', default: '0' },
    },
  })
  const farm = await createFeedFarm({
    feeds: Number(values.feeds),
    itemsPerFeed: Number(values.items),
    latencyMs: Number(values['latency-ms']),
    seed: Number(values.seed),
    port: Number(values.port),
  })
  const expected = farm.expected()
  console.log(
    `feed farm on ${farm.url}: ${farm.feedUrls.length} feeds, ${expected.distinctStories} distinct stories, ` +
      `${expected.feedEntries} feed entries, ${expected.distinctGuids} distinct guids`,
  )
  console.log(`  GET ${farm.url}/urls · GET /stats · POST /advance?fraction=0.1&items=5 · POST /reset`)
  process.once('SIGINT', () => void farm.close())
  process.once('SIGTERM', () => void farm.close())
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
