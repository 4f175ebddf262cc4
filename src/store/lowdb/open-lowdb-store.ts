import { randomBytes } from 'node:crypto'
import { copyFile, link, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { StoreError } from '../../errors.js'
import { syncDir } from '../../fsx/write-file-atomic.js'
import { toSummaryText } from '../../text/to-summary-text.js'
import type { ItemFilter, Logger, NormalizedEntry, PageItem, PublishRecord, SourceState, StoredItem } from '../../types.js'
import { boundTombstones, listTombstoneIdentities, selectItemsToPrune } from '../prune-items.js'
import { isPruneDue, type RetentionSummary, summarizeRetention } from '../retention-summary.js'
import { readStoreContents, toCanonicalItem, toCanonicalPublishRecord, toCanonicalSourceState } from '../canonical-form.js'
import { acquireStoreLock, type StoreLock } from '../store-lock.js'
import { checkStoreData, findSchemaProblem, segmentItemsSchema, STORE_VERSION } from '../store-schema.js'
import {
  type EntryFacts,
  type ItemCounts,
  PUBLISH_EVERY_ITEM,
  type OpenStoreOptions,
  type PruneResult,
  type Store,
  type StoreRecord,
  type UpsertResult,
} from '../store.js'
import { choosePublished, listIdentities, upsertEntries } from '../upsert-entries.js'
import { sortNewestFirst } from '../sort-newest-first.js'
import { createSpillFile, type SpillFile, type SpillLocation } from './create-spill-file.js'
import { createJsonFile, joinItemLines, serializeIndented, serializeItemLines } from './json-file.js'
import {
  checkIndexHead,
  describeLayout,
  type FactualEntry,
  factsOf,
  hasFacts,
  type IndexEntry,
  type IndexHead,
  LAYOUT_VERSION,
  listReferencedFiles,
  type SegmentRef,
  segmentOf,
  type StoreLayout,
} from './lowdb-layout.js'

/** Every item published, for handles opened without the config's filters. */

/** Files read or written at once: enough to keep the disk busy, few enough for the fd limit. */
const FILE_CONCURRENCY = 16

/**
 * Item bodies a handle keeps in memory (OpenStoreOptions.heldBodies): about 4 KB of heap each, so
 * some 16 MB; enough for the segments one source's answer touches at once, so that a cycle that
 * stores tens of thousands of items reads back few of those it wrote ahead.
 */
const HELD_BODIES = 4000

interface LoadedIndex {
  entries: Map<string, IndexEntry>
  /** Every identity → the id of the live item that lists it. */
  aliases: Map<string, string>
  /** Segment → ids of its live items. */
  bySegment: Map<string, Set<string>>
}

/**
 * Opens the lowdb store whose index head is `options.path` (lowdb-layout.ts); a missing file is an
 * empty store, and a single-file store of an earlier feedloom is converted (kept as `<path>.v1`).
 * @throws StoreError E_STORE_LOCKED, E_STORE_CORRUPT, E_STORE_VERSION or E_STORE_IO
 */
export async function openLowdbStore(options: OpenStoreOptions): Promise<Store> {
  const lock =
    options.lock === false ? undefined : await acquireStoreLock(options.path, options.lock === true || options.lock === undefined ? {} : options.lock)
  try {
    const layout = describeLayout(options.path)
    const read = await readHead(layout.head)
    const held = { bodies: options.heldBodies ?? HELD_BODIES, writeAhead: options.writeAhead ?? true }
    const store = createLowdbStore(layout, read, options.filter ?? PUBLISH_EVERY_ITEM, lock, options.log, options.sourceOrder, held)
    // Converted at once when this process may write; a read-only open keeps the conversion in memory.
    if (read.kind === 'single-file' && lock !== undefined) await store.commit()
    return store
  } catch (err) {
    await lock?.release()
    throw err
  }
}

type HeadRead = { kind: 'none' } | { kind: 'head'; head: IndexHead } | { kind: 'single-file'; text: string; value: unknown }

async function readHead(path: string): Promise<HeadRead> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' }
    throw new StoreError('E_STORE_IO', `cannot read store ${path}`, { cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new StoreError('E_STORE_CORRUPT', `store ${path} is not valid JSON; it was left untouched`, { cause })
  }
  const version = (value as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > LAYOUT_VERSION) {
    throw new StoreError('E_STORE_VERSION', `store ${path} has version ${version}; this feedloom reads versions up to ${LAYOUT_VERSION}`)
  }
  if (version === STORE_VERSION) return { kind: 'single-file', text, value }
  return { kind: 'head', head: checkIndexHead(text, value, path) }
}

function createLowdbStore(
  layout: StoreLayout,
  read: HeadRead,
  filter: ItemFilter,
  lock: StoreLock | undefined,
  log: Logger | undefined,
  sourceOrder: readonly string[] | undefined,
  held: { bodies: number; writeAhead: boolean },
): Store {
  const head = read.kind === 'head' ? read.head : undefined
  // The head as on disk: what another handle sees. Undefined while nothing was committed in this layout.
  let committed: IndexHead | undefined = head
  let segments = new Map<string, SegmentRef>(Object.entries(head?.segments ?? {}))
  let tombstonesGeneration = head?.tombstones
  const sources = new Map<string, SourceState>(Object.entries(head?.sources ?? {}).map(([id, state]) => [id, toCanonicalSourceState(state)]))
  let publish: PublishRecord = toCanonicalPublishRecord(head?.publish ?? {})
  const slugs = new Map<string, string>(Object.entries(head?.categorySlugs ?? {}))
  let verdicts = head?.filter ?? filter.fingerprint
  let retention: RetentionSummary = head?.retention ?? { largestCategory: 0 }

  let index: LoadedIndex | undefined
  let loadingIndex: Promise<LoadedIndex> | undefined
  // Segment → its items' bodies, least recently used first: past `held.bodies` items, the first are let go.
  const bodies = new Map<string, Map<string, StoredItem>>()
  const loadingBodies = new Map<string, Promise<Map<string, StoredItem>>>()
  /**
   * Changed segments whose bodies were written ahead to `spill` and let go: where each item's line
   * is. `bodies` then holds only the items read back or changed since, which win.
   */
  const spilled = new Map<string, Map<string, SpillLocation>>()
  let spill: SpillFile | undefined
  /** Segments an upsert is changing, by how many: never let go meanwhile. */
  const pinned = new Map<string, number>()
  let committing = false
  let tombstones: Map<string, string> | undefined
  let loadingTombstones: Promise<Map<string, string>> | undefined
  let tombstonesDirty = false
  const dirtyIndex = new Set<string>()
  const dirtyItems = new Set<string>()
  let sorted: IndexEntry[] | undefined
  // Set while a single-file store is held in memory, converted, until the first commit writes it out.
  let converting = read.kind === 'single-file'
  let lastCommit: Promise<unknown> = Promise.resolve()

  const corrupt = (file: string, problem: string, cause?: unknown): StoreError =>
    new StoreError(
      'E_STORE_CORRUPT',
      `store segment ${file} ${problem}; the rest of the store is intact. To go back to the commit before this one, stop feedloom and copy ${layout.backup} over ${layout.head}, or restore ${file} from a backup of ${dirname(layout.head)}; \`feedloom store check\` lists every problem`,
      cause === undefined ? undefined : { cause },
    )

  const readItemList = async <T>(file: string, expected: number, schema?: Parameters<typeof findSchemaProblem>[0]): Promise<T[]> => {
    let data: { items?: unknown } | undefined
    try {
      data = await createJsonFile<{ items?: unknown }>(file, serializeIndented).read()
    } catch (cause) {
      if (cause instanceof SyntaxError) throw corrupt(file, 'is not valid JSON', cause)
      throw new StoreError('E_STORE_IO', `cannot read store segment ${file}`, { cause })
    }
    if (data === undefined) throw corrupt(file, 'is missing')
    if (!Array.isArray(data.items)) throw corrupt(file, 'has no item list')
    const problem = schema === undefined ? undefined : findSchemaProblem(schema, data)
    if (problem !== undefined) throw corrupt(file, `is not what feedloom writes: ${problem}`)
    if (data.items.length !== expected) throw corrupt(file, `holds ${data.items.length} items where the index head counts ${expected}`)
    return data.items as T[]
  }

  const readIndexFile = (segment: string, ref: SegmentRef): Promise<IndexEntry[]> => readItemList<IndexEntry>(layout.indexFile(segment, ref.index), ref.count)
  const readItemsFile = (segment: string, ref: SegmentRef): Promise<StoredItem[]> => readItemList<StoredItem>(layout.itemsFile(segment, ref.items), ref.count, segmentItemsSchema)

  const ensureIndex = (): Promise<LoadedIndex> => {
    if (index !== undefined) return Promise.resolve(index)
    loadingIndex ??= (async () => {
      const loaded: LoadedIndex = { entries: new Map(), aliases: new Map(), bySegment: new Map() }
      // Newest segment first: were two items to share an identity, the newer keeps it, as the single file did.
      const names = [...segments.keys()].sort().reverse()
      const files = await mapLimited(names, (segment) => readIndexFile(segment, segments.get(segment) as SegmentRef))
      for (const [position, segment] of names.entries()) {
        const ids = new Set<string>()
        for (const entry of files[position] ?? []) {
          loaded.entries.set(entry.id, entry)
          ids.add(entry.id)
          for (const alias of entry.aliases) if (!loaded.aliases.has(alias)) loaded.aliases.set(alias, entry.id)
        }
        loaded.bySegment.set(segment, ids)
      }
      if (verdicts !== filter.fingerprint) await recomputeVerdicts(loaded)
      index = loaded
      return loaded
    })()
    return loadingIndex
  }

  /** The filter changed since the verdicts and membership lists were stored: every body is read once, none kept. */
  const recomputeVerdicts = async (loaded: LoadedIndex): Promise<void> => {
    await mapLimited([...loaded.bySegment.keys()], async (segment) => {
      const items = bodies.get(segment) ?? (await readItemsFile(segment, segments.get(segment) as SegmentRef))
      for (const item of items.values()) {
        const entry = loaded.entries.get(item.id)
        const pass = filter.accepts(item)
        const memberOf = filter.categoriesOf(item)
        if (entry === undefined || (entry.pass === pass && sameList(entry.memberOf, memberOf))) continue
        loaded.entries.set(item.id, { ...entry, pass, memberOf })
        dirtyIndex.add(segment)
      }
    })
    verdicts = filter.fingerprint
  }

  /** Every body of the segment, read from its file or back from the spill file as needed. */
  const ensureBodies = (segment: string): Promise<Map<string, StoredItem>> => {
    const written = spilled.get(segment)
    if (written !== undefined) return readBack(segment, [...written.keys()])
    const cached = bodies.get(segment)
    if (cached !== undefined) {
      bodies.delete(segment)
      bodies.set(segment, cached)
      return Promise.resolve(cached)
    }
    let loading = loadingBodies.get(segment)
    if (loading === undefined) {
      const ref = segments.get(segment)
      loading = (ref === undefined ? Promise.resolve([]) : readItemsFile(segment, ref)).then((items) => {
        const map = new Map(items.map((item) => [item.id, item]))
        bodies.set(segment, map)
        loadingBodies.delete(segment)
        return map
      })
      loadingBodies.set(segment, loading)
    }
    return loading
  }

  /** The segment's bodies in memory, with those of `ids` read back from the spill file; the segment must be spilled. */
  const readBack = async (segment: string, ids: readonly string[]): Promise<Map<string, StoredItem>> => {
    const written = spilled.get(segment) as Map<string, SpillLocation>
    const segmentBodies = bodies.get(segment) ?? new Map<string, StoredItem>()
    bodies.delete(segment)
    bodies.set(segment, segmentBodies)
    const missing = ids.flatMap((id) => (segmentBodies.has(id) ? [] : (written.get(id) ?? [])))
    if (missing.length === 0) return segmentBodies
    for (const item of await (spill as SpillFile).read(missing)) {
      // An upsert may have changed or removed it while it was read.
      if (!segmentBodies.has(item.id) && written.has(item.id)) segmentBodies.set(item.id, item)
    }
    return segmentBodies
  }

  /** The segment's bodies in memory, holding at least those of `ids`: a spilled segment reads back only these. */
  const ensureItems = (segment: string, ids: readonly string[]): Promise<Map<string, StoredItem>> =>
    spilled.has(segment) ? readBack(segment, ids) : ensureBodies(segment)

  /**
   * Lets go of the bodies of the least recently used segments once more than `held.bodies` are in
   * memory, down to half: an unchanged segment is read again from its file when needed; a changed
   * one is written ahead to the spill file (never in a dry run, which writes nothing: there its
   * changes stay in memory). Chosen and let go before the first await, so no other call sees a
   * segment half let go; resolves once what was written ahead is on disk.
   */
  const boundBodies = async (): Promise<void> => {
    if (committing) return
    let count = 0
    for (const segmentBodies of bodies.values()) count += segmentBodies.size
    if (count <= held.bodies) return
    for (const [segment, segmentBodies] of bodies) {
      if (count <= held.bodies / 2) break
      if (pinned.has(segment)) continue
      if (dirtyItems.has(segment)) {
        if (!held.writeAhead) continue
        const written = spilled.get(segment) ?? new Map<string, SpillLocation>()
        const ids = index?.bySegment.get(segment) ?? new Set<string>()
        const fresh = [...segmentBodies.values()].filter((item) => ids.has(item.id) && !written.has(item.id))
        spill ??= createSpillFile(join(layout.segmentsDir, `spill.g${(committed?.generation ?? 0) + 1}.${randomBytes(4).toString('hex')}.jsonl`))
        for (const [id, location] of spill.append(fresh)) written.set(id, location)
        spilled.set(segment, written)
      }
      bodies.delete(segment)
      count -= segmentBodies.size
    }
    await spill?.written()
  }

  const pin = (segmentNames: Iterable<string>, by: 1 | -1): void => {
    for (const segment of segmentNames) {
      const count = (pinned.get(segment) ?? 0) + by
      if (count === 0) pinned.delete(segment)
      else pinned.set(segment, count)
    }
  }

  const ensureTombstones = (): Promise<Map<string, string>> => {
    if (tombstones !== undefined) return Promise.resolve(tombstones)
    loadingTombstones ??= (async () => {
      const map = new Map<string, string>()
      if (tombstonesGeneration !== undefined) {
        const file = layout.tombstonesFile(tombstonesGeneration)
        let data: { tombstones?: unknown } | undefined
        try {
          data = await createJsonFile<{ tombstones?: unknown }>(file, serializeIndented).read()
        } catch (cause) {
          if (cause instanceof SyntaxError) throw corrupt(file, 'is not valid JSON', cause)
          throw new StoreError('E_STORE_IO', `cannot read store segment ${file}`, { cause })
        }
        if (data === undefined) throw corrupt(file, 'is missing')
        if (typeof data.tombstones !== 'object' || data.tombstones === null) throw corrupt(file, 'has no tombstones')
        for (const [identity, prunedAt] of Object.entries(data.tombstones as Record<string, string>)) map.set(identity, prunedAt)
      }
      tombstones = map
      return map
    })()
    return loadingTombstones
  }

  const sortedEntries = (loaded: LoadedIndex): IndexEntry[] => (sorted ??= sortNewestFirst([...loaded.entries.values()]))

  /** Published entries newest first, by category ('' for all), for the order `sorted` had when they were listed. */
  let published: { of: IndexEntry[]; lists: Map<string, IndexEntry[]> } | undefined
  const publishedEntries = (loaded: LoadedIndex, category: string | undefined): IndexEntry[] => {
    const all = sortedEntries(loaded)
    if (published?.of !== all) published = { of: all, lists: new Map() }
    const key = category ?? ''
    let list = published.lists.get(key)
    if (list === undefined) {
      list = all.filter((entry) => entry.pass && (category === undefined || entry.memberOf.includes(category)))
      published.lists.set(key, list)
    }
    return list
  }

  const itemsOf = async (entries: readonly IndexEntry[]): Promise<StoredItem[]> => {
    const wanted = new Map<string, string[]>()
    for (const entry of entries) {
      const segment = segmentOf(entry.published)
      const ids = wanted.get(segment) ?? []
      ids.push(entry.id)
      wanted.set(segment, ids)
    }
    // The maps themselves, not `bodies`: a concurrent call may let go of a segment before they are read.
    const found = new Map<string, Map<string, StoredItem>>()
    await mapLimited([...wanted], async ([segment, ids]) => found.set(segment, await ensureItems(segment, ids)))
    const items = entries.map((entry) => {
      const segment = segmentOf(entry.published)
      const item = found.get(segment)?.get(entry.id)
      const ref = segments.get(segment)
      if (item === undefined) throw corrupt(ref === undefined ? segment : layout.itemsFile(segment, ref.items), `has no body for item ${entry.id}`)
      return item
    })
    await boundBodies()
    return items
  }

  /** Sets a new or changed item (its segment's bodies loaded) into bodies and index. */
  const putItem = (loaded: LoadedIndex, item: StoredItem): void => {
    const segment = segmentOf(item.published)
    const segmentBodies = bodies.get(segment)
    if (segmentBodies === undefined) throw new Error(`segment ${segment} is not loaded`)
    segmentBodies.set(item.id, item)
    spilled.get(segment)?.delete(item.id)
    loaded.entries.set(item.id, toIndexEntry(item, filter))
    const ids = loaded.bySegment.get(segment) ?? new Set()
    ids.add(item.id)
    loaded.bySegment.set(segment, ids)
    dirtyIndex.add(segment)
    dirtyItems.add(segment)
    sorted = undefined
  }

  const removeEntry = (loaded: LoadedIndex, entry: IndexEntry): void => {
    const segment = segmentOf(entry.published)
    loaded.entries.delete(entry.id)
    for (const alias of entry.aliases) if (loaded.aliases.get(alias) === entry.id) loaded.aliases.delete(alias)
    loaded.bySegment.get(segment)?.delete(entry.id)
    bodies.get(segment)?.delete(entry.id)
    spilled.get(segment)?.delete(entry.id)
    dirtyIndex.add(segment)
    dirtyItems.add(segment)
    sorted = undefined
  }

  /**
   * Gives the index entries of `segmentNames` that an earlier feedloom wrote the facts of their
   * bodies, reading each segment's items once; the next commit writes those index files with them.
   */
  const addFacts = async (loaded: LoadedIndex, segmentNames: ReadonlySet<string>): Promise<void> => {
    await mapLimited([...segmentNames], ensureBodies)
    for (const segment of segmentNames) {
      for (const id of loaded.bySegment.get(segment) ?? []) {
        const entry = loaded.entries.get(id) as IndexEntry
        if (hasFacts(entry)) continue
        const item = bodies.get(segment)?.get(id)
        const ref = segments.get(segment)
        if (item === undefined) throw corrupt(ref === undefined ? segment : layout.itemsFile(segment, ref.items), `has no body for item ${id}`)
        loaded.entries.set(id, { ...entry, ...factsOf(item) })
      }
      dirtyIndex.add(segment)
    }
    // Facts change no order: the sorted lists stay, and whoever reads facts takes them from loaded.entries.
  }

  /** The live item the identities name, tried in order, as upsert finds it. */
  const findEntry = (loaded: LoadedIndex, identities: readonly string[]): IndexEntry | undefined => {
    for (const identity of identities) {
      const entry = loaded.entries.get(loaded.aliases.get(identity) ?? '')
      if (entry !== undefined) return entry
    }
    return undefined
  }

  /** The head a commit at `generation` would write, with these segment references. */
  const buildHead = (generation: number, refs: Map<string, SegmentRef>, tombstonesRef: number | undefined): IndexHead => {
    const summary = index === undefined ? retention : summarizeLoaded(index, tombstones, retention)
    return {
      version: LAYOUT_VERSION,
      generation,
      sources: toSortedRecord(sources),
      retention: summary,
      ...(Object.keys(publish).length === 0 ? {} : { publish }),
      filter: verdicts,
      ...(slugs.size === 0 ? {} : { categorySlugs: toSortedRecord(slugs) }),
      ...(tombstonesRef === undefined ? {} : { tombstones: tombstonesRef }),
      segments: toSortedRecord(refs),
    }
  }

  const hasChanges = (): boolean => {
    if (converting || tombstonesDirty || dirtyIndex.size > 0 || dirtyItems.size > 0) return true
    if (committed === undefined) return sources.size > 0 || slugs.size > 0 || Object.keys(publish).length > 0
    return JSON.stringify(buildHead(committed.generation, segments, tombstonesGeneration)) !== JSON.stringify(committed)
  }

  const commitNow = async (): Promise<boolean> => {
    if (!hasChanges()) return false
    const generation = (committed?.generation ?? 0) + 1
    const refs = new Map(segments)
    let tombstonesRef = tombstonesGeneration
    // Nothing is let go while the commit reads what it writes.
    committing = true
    try {
      await mkdir(layout.segmentsDir, { recursive: true })
      const writes: (() => Promise<void>)[] = []
      for (const segment of new Set([...dirtyIndex, ...dirtyItems])) {
        const ids = index?.bySegment.get(segment)
        if (index === undefined || ids === undefined || ids.size === 0) {
          refs.delete(segment)
          continue
        }
        const loaded = index
        const entries = sortNewestFirst([...ids].map((id) => loaded.entries.get(id) as IndexEntry))
        const previous = segments.get(segment)
        const rewritesItems = dirtyItems.has(segment) || previous === undefined
        // Each segment's bodies are gathered as its turn comes, so a commit holds few beyond those already in memory.
        writes.push(async () => {
          const segmentBodies = rewritesItems ? await writeItemsFile(segment, entries, generation) : bodies.get(segment)
          // Bodies at hand: entries an earlier feedloom wrote get their facts while the file is rewritten anyway.
          const indexed = segmentBodies === undefined ? entries : entries.map((entry) => withFacts(loaded, entry, segmentBodies.get(entry.id)))
          await createJsonFile(layout.indexFile(segment, generation), serializeItemLines).write({ items: indexed })
        })
        refs.set(segment, { index: generation, items: rewritesItems ? generation : (previous as SegmentRef).items, count: entries.length })
      }
      if (tombstonesDirty && tombstones !== undefined) {
        const map = tombstones
        tombstonesRef = map.size === 0 ? undefined : generation
        if (map.size > 0) writes.push(() => createJsonFile(layout.tombstonesFile(generation), serializeIndented).write({ tombstones: toSortedRecord(map) }))
      }
      await mapLimited(writes, (write) => write())
      await syncDir(layout.segmentsDir)
      const next = buildHead(generation, refs, tombstonesRef)
      if (converting) await replaceLink(layout.head, layout.singleFile)
      else if (committed !== undefined) await replaceLink(layout.head, layout.backup)
      await createJsonFile<IndexHead>(layout.head, serializeIndented).write(next)
      await syncDir(dirname(layout.head))
      await removeUnreferenced(layout, next, committed)
      if (converting) {
        log?.info(
          `store ${layout.head} converted to segments in ${layout.segmentsDir}; the single-file store is kept as ${layout.singleFile}: remove it once feedloom runs well`,
          { path: layout.singleFile },
        )
      }
      committed = next
      segments = refs
      tombstonesGeneration = tombstonesRef
      retention = next.retention
      converting = false
      tombstonesDirty = false
      dirtyIndex.clear()
      dirtyItems.clear()
      // A commit ends a cycle (or a batch of a bulk load): what it wrote need not stay in memory.
      bodies.clear()
      spilled.clear()
      // Already removed with the files no head names; its handle is closed.
      await spill?.remove()
      spill = undefined
      return true
    } catch (cause) {
      if (cause instanceof StoreError) throw cause
      throw new StoreError('E_STORE_IO', `cannot write store ${layout.head}: ${(cause as Error).message}`, { cause })
    } finally {
      committing = false
    }
  }

  /**
   * Writes the items file of `segment` at `generation`, its items in the order of `entries`: those
   * written ahead are copied from the spill file as they are, the others serialized. Gives the
   * bodies it had in memory.
   */
  const writeItemsFile = async (segment: string, entries: readonly IndexEntry[], generation: number): Promise<Map<string, StoredItem>> => {
    const file = layout.itemsFile(segment, generation)
    const ref = segments.get(segment)
    const missing = (id: string): StoreError => corrupt(ref === undefined ? segment : layout.itemsFile(segment, ref.items), `has no body for item ${id}`)
    const written = spilled.get(segment)
    if (written === undefined) {
      // Read without keeping it: a commit that prunes from many segments must not hold them all.
      const segmentBodies = bodies.get(segment) ?? new Map((ref === undefined ? [] : await readItemsFile(segment, ref)).map((item) => [item.id, item]))
      const items = entries.map((entry) => segmentBodies.get(entry.id) ?? throwError(missing(entry.id)))
      await createJsonFile(file, serializeItemLines).write({ items })
      return segmentBodies
    }
    const inMemory = bodies.get(segment) ?? new Map<string, StoredItem>()
    const fromSpill = entries.filter((entry) => !inMemory.has(entry.id))
    const lines = await (spill as SpillFile).readLines(fromSpill.map((entry) => written.get(entry.id) ?? throwError(missing(entry.id))))
    const spilledLines = new Map(fromSpill.map((entry, position) => [entry.id, lines[position] as Buffer]))
    // Bytes, not strings: the lines go from one file to the other without becoming garbage on the heap.
    const bytes = entries.map((entry) => spilledLines.get(entry.id) ?? Buffer.from(JSON.stringify(inMemory.get(entry.id))))
    await createJsonFile<{ items: Buffer[] }>(file, (data) => joinItemLines(data.items)).write({ items: bytes })
    return inMemory
  }

  if (read.kind === 'single-file') {
    const contents = readStoreContents(checkStoreData(read.text, read.value, layout.head))
    const loaded: LoadedIndex = { entries: new Map(), aliases: contents.aliases, bySegment: new Map() }
    for (const item of contents.items.values()) {
      const segment = segmentOf(item.published)
      let segmentBodies = bodies.get(segment)
      if (segmentBodies === undefined) bodies.set(segment, (segmentBodies = new Map()))
      putItemInto(loaded, segmentBodies, segment, item, filter)
      dirtyIndex.add(segment)
      dirtyItems.add(segment)
    }
    index = loaded
    verdicts = filter.fingerprint
    tombstones = contents.tombstones
    tombstonesDirty = contents.tombstones.size > 0
    for (const [id, state] of contents.sources) sources.set(id, state)
    for (const [slug, name] of contents.categorySlugs) slugs.set(slug, name)
    publish = contents.publish
  }

  const store: Store = {
    async findItem(keys) {
      const loaded = await ensureIndex()
      for (const key of keys) {
        const id = loaded.aliases.get(key)
        const entry = id === undefined ? undefined : loaded.entries.get(id)
        if (entry !== undefined) return (await itemsOf([entry]))[0]
      }
      return undefined
    },
    async isTombstoned(keys) {
      if (tombstones === undefined && tombstonesGeneration === undefined) return false
      const map = await ensureTombstones()
      return keys.some((key) => map.has(key))
    },
    async describeEntries(questions) {
      if (questions.length === 0) return []
      const loaded = await ensureIndex()
      const stored = questions.map((question) => loaded.entries.get(loaded.aliases.get(question.key) ?? ''))
      const lacking = new Set(stored.flatMap((entry) => (entry === undefined || hasFacts(entry) ? [] : [segmentOf(entry.published)])))
      if (lacking.size > 0) await addFacts(loaded, lacking)
      const dead = tombstones === undefined && tombstonesGeneration === undefined ? undefined : await ensureTombstones()
      return questions.map((question, index): EntryFacts => {
        const found = stored[index]
        const entry = found === undefined ? undefined : loaded.entries.get(found.id)
        if (entry !== undefined && hasFacts(entry)) {
          const facts = { stored: true as const, firstSource: entry.sources[0] ?? '', hasContent: entry.hasContent }
          return entry.contentHash === undefined ? facts : { ...facts, contentHash: entry.contentHash }
        }
        const known = findEntry(loaded, question.identities) !== undefined || question.identities.some((identity) => dead?.has(identity) === true)
        return { stored: false, known }
      })
    },
    async upsert(all, now): Promise<UpsertResult> {
      if (all.length === 0) return { added: [], updated: [], merged: 0, mergedItems: [], unchanged: 0, skippedTombstoned: 0, changedCategories: new Set() }
      const loaded = await ensureIndex()
      // Entries that the index shows change nothing leave their items' segments unread.
      const entries = leaveOutIdle(loaded, all, findEntry)
      const idle = all.length - entries.length
      if (entries.length === 0) return { added: [], updated: [], merged: 0, mergedItems: [], unchanged: idle, skippedTombstoned: 0, changedCategories: new Set() }
      const nowIso = now.toISOString()
      // Segment → ids of the known items the entries name: all a segment written ahead reads back.
      const touched = new Map<string, string[]>()
      const touch = (segment: string, id?: string): void => {
        const ids = touched.get(segment) ?? []
        if (id !== undefined) ids.push(id)
        touched.set(segment, ids)
      }
      let hasUnknown = false
      for (const entry of entries) {
        const known = listIdentities(entry).flatMap((identity) => loaded.entries.get(loaded.aliases.get(identity) ?? '') ?? [])
        for (const entry of known) touch(segmentOf(entry.published), entry.id)
        if (known.length === 0) {
          hasUnknown = true
          touch(segmentOf(choosePublished(entry, nowIso)))
        }
      }
      pin(touched.keys(), 1)
      let result: UpsertResult
      try {
        const segmentBodies = await mapLimited([...touched], ([segment, ids]) => ensureItems(segment, ids))
        const dead = hasUnknown ? await ensureTombstones() : (tombstones ?? new Map<string, string>())
        const items = new Map<string, StoredItem>()
        for (const one of segmentBodies) for (const [id, item] of one) items.set(id, item)
        const before = new Map(items)
        result = upsertEntries({ items, aliases: loaded.aliases, tombstones: dead, categorySlugs: slugs }, entries, now, filter.categoriesOf, sourceOrder)
        for (const [id, item] of items) if (before.get(id) !== item) putItem(loaded, item)
      } finally {
        pin(touched.keys(), -1)
      }
      await boundBodies()
      return { ...result, unchanged: result.unchanged + idle }
    },
    async prune(options): Promise<PruneResult> {
      if (index === undefined && !isPruneDue(retention, options)) return { pruned: 0, prunedItems: [], changedCategories: new Set() }
      const loaded = await ensureIndex()
      const doomed = selectItemsToPrune(sortedEntries(loaded), options)
      // Tombstones are read only when some are made or the oldest has expired: the file can be big.
      const isExpiryDue = isPruneDue({ largestCategory: 0, ...(retention.oldestTombstone === undefined ? {} : { oldestTombstone: retention.oldestTombstone }) }, options)
      if (doomed.length > 0 || (tombstonesGeneration !== undefined && isExpiryDue)) {
        const map = await ensureTombstones()
        const nowIso = options.now.toISOString()
        for (const entry of doomed) {
          removeEntry(loaded, entry)
          for (const identity of listTombstoneIdentities(entry)) map.set(identity, nowIso)
        }
        if (boundTombstones(map, options.now) || doomed.length > 0) tombstonesDirty = true
      }
      return {
        pruned: doomed.length,
        prunedItems: doomed.map(({ id, key, published, category }) => ({ id, key, published, category })),
        changedCategories: new Set(doomed.flatMap((entry) => entry.memberOf)),
      }
    },
    async newestItems({ category, limit, offset = 0 }) {
      const loaded = await ensureIndex()
      // Listed once per category: publishing asks for every page of a category in turn.
      return itemsOf(publishedEntries(loaded, category).slice(offset, offset + limit))
    },
    async pageItems({ category, limit, offset = 0 }) {
      const loaded = await ensureIndex()
      const listed = publishedEntries(loaded, category).slice(offset, offset + limit)
      const lacking = new Set(listed.flatMap((entry) => (hasFacts(loaded.entries.get(entry.id) as IndexEntry) ? [] : [segmentOf(entry.published)])))
      if (lacking.size > 0) await addFacts(loaded, lacking)
      const entries = listed.map((entry) => loaded.entries.get(entry.id) as FactualEntry)
      // Only a summary too long for the index is read from its body.
      const long = entries.filter((entry) => entry.text === false)
      const texts = new Map(long.length === 0 ? [] : (await itemsOf(long)).map((item) => [item.id, toSummaryText(item)]))
      return entries.map((entry) => toPageItem(entry, entry.text === false ? (texts.get(entry.id) ?? '') : entry.text))
    },
    async liveItems({ since }) {
      const loaded = await ensureIndex()
      const sinceMs = since.getTime()
      const chosen: IndexEntry[] = []
      for (const entry of sortedEntries(loaded)) {
        if (Date.parse(entry.published) < sinceMs) break
        if (entry.pass) chosen.push(entry)
      }
      return itemsOf(chosen)
    },
    async countItems(): Promise<ItemCounts> {
      const loaded = await ensureIndex()
      let all = 0
      const counts = new Map<string, { items: number; title?: string }>()
      for (const entry of sortedEntries(loaded)) {
        if (!entry.pass) continue
        all++
        for (const category of entry.memberOf) {
          const count = counts.get(category) ?? { items: 0 }
          count.items++
          // A title describes the item's own category, not the others it is listed in.
          if (count.title === undefined && category === entry.category && entry.categoryTitle !== undefined) count.title = entry.categoryTitle
          counts.set(category, count)
        }
      }
      return { all, categories: new Map([...counts].sort(([a], [b]) => compareStrings(a, b))) }
    },
    async sourceStates() {
      return new Map([...sources].map(([id, state]) => [id, structuredClone(state)]))
    },
    async sourceState(id) {
      const state = sources.get(id)
      return state === undefined ? undefined : structuredClone(state)
    },
    async setSourceState(id, state) {
      sources.set(id, toCanonicalSourceState(state))
    },
    async publishRecord() {
      return structuredClone(publish)
    },
    async setPublishRecord(record) {
      publish = toCanonicalPublishRecord(record)
    },
    hasChanges,
    commit() {
      const committing = lastCommit.then(commitNow)
      lastCommit = committing.catch(() => undefined)
      return committing
    },
    async *exportRecords() {
      const loaded = await ensureIndex()
      for (const [segment, ids] of loaded.bySegment) {
        const ref = segments.get(segment)
        const segmentBodies = spilled.has(segment)
          ? await ensureBodies(segment)
          : (bodies.get(segment) ?? new Map((ref === undefined ? [] : await readItemsFile(segment, ref)).map((item) => [item.id, item])))
        const items = sortNewestFirst([...ids].map((id) => loaded.entries.get(id) as IndexEntry)).flatMap((entry) => segmentBodies.get(entry.id) ?? [])
        yield items.map((item): StoreRecord => ({ kind: 'item', item }))
      }
      yield [...(await ensureTombstones())].map(([identity, prunedAt]): StoreRecord => ({ kind: 'tombstone', identity, prunedAt }))
      yield [
        ...[...slugs].map(([slug, name]): StoreRecord => ({ kind: 'category-slug', slug, name })),
        ...[...sources].map(([id, state]): StoreRecord => ({ kind: 'source', id, state: structuredClone(state) })),
        { kind: 'publish', record: structuredClone(publish) },
      ]
    },
    async importRecords(records) {
      const loaded = await ensureIndex()
      for (const record of records) {
        if (record.kind === 'item') {
          const item = toCanonicalItem(record.item)
          const existing = loaded.entries.get(item.id)
          if (existing !== undefined) removeEntry(loaded, existing)
          await ensureBodies(segmentOf(item.published))
          for (const alias of item.aliases) if (!loaded.aliases.has(alias)) loaded.aliases.set(alias, item.id)
          putItem(loaded, item)
        } else if (record.kind === 'tombstone') {
          ;(await ensureTombstones()).set(record.identity, record.prunedAt)
          tombstonesDirty = true
        } else if (record.kind === 'category-slug') slugs.set(record.slug, record.name)
        else if (record.kind === 'source') sources.set(record.id, toCanonicalSourceState(record.state))
        else publish = toCanonicalPublishRecord(record.record)
      }
      await boundBodies()
    },
    check: () => checkLowdbStore(layout),
    async close() {
      await lastCommit
      // Staged changes that were never committed: their bodies written ahead are of no use to anyone.
      await spill?.remove()
      spill = undefined
      await lock?.release()
    },
  }
  return store
}

function putItemInto(loaded: LoadedIndex, segmentBodies: Map<string, StoredItem>, segment: string, item: StoredItem, filter: ItemFilter): void {
  segmentBodies.set(item.id, item)
  loaded.entries.set(item.id, toIndexEntry(item, filter))
  const ids = loaded.bySegment.get(segment) ?? new Set()
  ids.add(item.id)
  loaded.bySegment.set(segment, ids)
}

function toIndexEntry(item: StoredItem, filter: ItemFilter): IndexEntry {
  return {
    id: item.id,
    key: item.key,
    aliases: item.aliases,
    published: item.published,
    category: item.category,
    memberOf: filter.categoriesOf(item),
    ...(item.categoryTitle === undefined ? {} : { categoryTitle: item.categoryTitle }),
    pass: filter.accepts(item),
    ...factsOf(item),
  }
}

function toPageItem(entry: FactualEntry, summaryText: string): PageItem {
  return {
    id: entry.id,
    title: entry.title,
    ...(entry.link === undefined ? {} : { link: entry.link }),
    ...(entry.author === undefined ? {} : { author: entry.author }),
    ...(entry.media === undefined ? {} : { media: entry.media }),
    published: entry.published,
    summaryText,
  }
}

/** The entry with its body's facts, set into the index, when it lacks them and `item` is its body. */
function withFacts(loaded: LoadedIndex, entry: IndexEntry, item: StoredItem | undefined): IndexEntry {
  if (hasFacts(entry) || item === undefined) return entry
  const upgraded = { ...entry, ...factsOf(item) }
  loaded.entries.set(entry.id, upgraded)
  return upgraded
}

/**
 * The entries upsert must read bodies for: all but those that, by the index alone, would change
 * nothing (upsert-entries.ts counts them unchanged). Such an entry is kept after all when another
 * kept entry touches its item, since that one may change it first.
 */
function leaveOutIdle(
  loaded: LoadedIndex,
  entries: readonly NormalizedEntry[],
  findEntry: (loaded: LoadedIndex, identities: readonly string[]) => IndexEntry | undefined,
): readonly NormalizedEntry[] {
  const plans = entries.map((entry) => {
    const identities = listIdentities(entry)
    const ids = identities.flatMap((identity) => loaded.aliases.get(identity) ?? [])
    const existing = findEntry(loaded, identities)
    return { entry, ids, idle: existing !== undefined && hasFacts(existing) && changesNothing(loaded, existing, entry, identities) }
  })
  if (!plans.some((plan) => plan.idle)) return entries
  const busy = new Set(plans.flatMap((plan) => (plan.idle ? [] : plan.ids)))
  for (let demoted = true; demoted; ) {
    demoted = false
    for (const plan of plans) {
      if (!plan.idle || !plan.ids.some((id) => busy.has(id))) continue
      plan.idle = false
      for (const id of plan.ids) busy.add(id)
      demoted = true
    }
  }
  return plans.flatMap((plan) => (plan.idle ? [] : [plan.entry]))
}

/**
 * Whether upserting `entry` into the item of `existing` would leave it as it is: no identity and no
 * source to add, and no title or content its source may change (the rules of upsert-entries.ts).
 */
function changesNothing(loaded: LoadedIndex, existing: FactualEntry, entry: NormalizedEntry, identities: readonly string[]): boolean {
  if (!identities.every((identity) => loaded.aliases.has(identity)) || !existing.sources.includes(entry.sourceId)) return false
  const isFirstSource = entry.sourceId === existing.sources[0]
  if (isFirstSource && entry.title !== '' && entry.title !== existing.title) return false
  // Content to compare needs the body; an entry whose content was left unsanitized brings none.
  const mayTakeContent = isFirstSource || !existing.hasContent
  return !(mayTakeContent && entry.content !== undefined && entry.content !== '')
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index])
}

/** The retention summary of the loaded index; without tombstones in memory, their oldest stays as it was. */
function summarizeLoaded(loaded: LoadedIndex, tombstones: Map<string, string> | undefined, previous: RetentionSummary): RetentionSummary {
  const summary = summarizeRetention(loaded.entries.values(), tombstones ?? new Map())
  if (tombstones !== undefined || previous.oldestTombstone === undefined) return summary
  return { ...summary, oldestTombstone: previous.oldestTombstone }
}

/** Errors from link() that mean "this file system cannot hard-link here": copy instead. */
const NO_HARD_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EACCES'])

/**
 * Makes `to` hold what `from` holds now: a hard link (no bytes written), else a copy, made under a
 * temp name and renamed, so a kill midway leaves the old `to` whole. `from` is only ever replaced
 * by rename, never written in place, so the link keeps the old generation.
 */
async function replaceLink(from: string, to: string): Promise<void> {
  const temp = `${to}.tmp`
  await rm(temp, { force: true })
  try {
    await link(from, temp)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    if (code === 'ENOENT') return
    if (!NO_HARD_LINK.has(code)) throw err
    await copyFile(from, temp)
  }
  await rename(temp, to)
}

/** Removes segment files that neither the new head nor the one before it (now the backup) names. */
async function removeUnreferenced(layout: StoreLayout, next: IndexHead, previous: IndexHead | undefined): Promise<void> {
  const keep = listReferencedFiles(layout, next)
  if (previous !== undefined) for (const name of listReferencedFiles(layout, previous)) keep.add(name)
  const names = await readdir(layout.segmentsDir)
  await mapLimited(
    names.filter((name) => !keep.has(name)),
    (name) => rm(`${layout.segmentsDir}/${name}`, { force: true }),
  )
}

/**
 * What `feedloom store check` reports: every index entry has its body, counts agree, no file is
 * missing, and no file in the segments folder is left unnamed by the head and its backup.
 */
export async function checkLowdbStore(layout: StoreLayout, options: { orphans?: boolean } = {}): Promise<string[]> {
  let read: HeadRead
  try {
    read = await readHead(layout.head)
  } catch (err) {
    return [(err as Error).message]
  }
  if (read.kind === 'none') return []
  if (read.kind === 'single-file') return [`store ${layout.head} is a single-file store: the next feedloom run converts it`]
  const head = read.head
  const problems: string[] = []
  const perCategory = new Map<string, number>()
  const seenIds = new Set<string>()
  let oldestPublished: string | undefined
  await mapLimited(Object.entries(head.segments), async ([segment, ref]) => {
    const indexFile = layout.indexFile(segment, ref.index)
    const itemsFile = layout.itemsFile(segment, ref.items)
    const [entries, items] = await Promise.all([readListForCheck<IndexEntry>(indexFile, problems), readListForCheck<StoredItem>(itemsFile, problems)])
    if (entries === undefined || items === undefined) return
    if (entries.length !== ref.count) problems.push(`${indexFile}: ${entries.length} index entries, the head counts ${ref.count}`)
    if (items.length !== ref.count) problems.push(`${itemsFile}: ${items.length} items, the head counts ${ref.count}`)
    const bodies = new Map(items.map((item) => [item.id, item]))
    for (const entry of entries) {
      if (seenIds.has(entry.id)) problems.push(`${indexFile}: item ${entry.id} is listed in another segment too`)
      seenIds.add(entry.id)
      const body = bodies.get(entry.id)
      if (body === undefined) problems.push(`${indexFile}: item ${entry.id} has no body in ${itemsFile}`)
      else if (body.published !== entry.published || body.key !== entry.key) problems.push(`${itemsFile}: item ${entry.id} differs from its index entry`)
      if (segmentOf(entry.published) !== segment) problems.push(`${indexFile}: item ${entry.id} is published outside hour ${segment}`)
      perCategory.set(entry.category, (perCategory.get(entry.category) ?? 0) + 1)
      if (oldestPublished === undefined || Date.parse(entry.published) < Date.parse(oldestPublished)) oldestPublished = entry.published
      bodies.delete(entry.id)
    }
    for (const id of bodies.keys()) problems.push(`${itemsFile}: item ${id} has no index entry in ${indexFile}`)
  })
  if (head.tombstones !== undefined) {
    const file = layout.tombstonesFile(head.tombstones)
    try {
      const data = await createJsonFile<{ tombstones?: unknown }>(file, serializeIndented).read()
      if (data === undefined) problems.push(`${file} is missing`)
      else if (typeof data.tombstones !== 'object' || data.tombstones === null) problems.push(`${file} has no tombstones`)
    } catch (err) {
      problems.push(`${file} cannot be read: ${(err as Error).message}`)
    }
  }
  const largestCategory = Math.max(0, ...perCategory.values())
  if (problems.length === 0 && head.retention.largestCategory !== largestCategory) {
    problems.push(`${layout.head}: retention counts ${head.retention.largestCategory} items in the fullest category, the segments hold ${largestCategory}`)
  }
  if (options.orphans !== false) problems.push(...(await findOrphans(layout, head)))
  return problems.sort()
}

async function readListForCheck<T>(file: string, problems: string[]): Promise<T[] | undefined> {
  try {
    const data = await createJsonFile<{ items?: unknown }>(file, serializeIndented).read()
    if (data === undefined) problems.push(`${file} is missing`)
    else if (!Array.isArray(data.items)) problems.push(`${file} has no item list`)
    else return data.items as T[]
  } catch (err) {
    problems.push(`${file} cannot be read: ${(err as Error).message}`)
  }
  return undefined
}

async function findOrphans(layout: StoreLayout, head: IndexHead): Promise<string[]> {
  const keep = listReferencedFiles(layout, head)
  try {
    const backup = await readHead(layout.backup)
    if (backup.kind === 'head') for (const name of listReferencedFiles(layout, backup.head)) keep.add(name)
  } catch {
    // A damaged backup names nothing; its own files then show as orphans.
  }
  let names: string[]
  try {
    names = await readdir(layout.segmentsDir)
  } catch {
    return []
  }
  return names
    .filter((name) => !keep.has(name))
    .map((name) => `${layout.segmentsDir}/${name}: named by neither ${layout.head} nor ${layout.backup} (left by an interrupted commit; the next commit removes it)`)
}

async function mapLimited<T, R>(values: readonly T[], run: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(values.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < values.length) {
      const position = next++
      results[position] = await run(values[position] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, values.length) }, worker))
  return results
}

function toSortedRecord<T>(map: Map<string, T>): Record<string, T> {
  return Object.fromEntries([...map].sort(([a], [b]) => compareStrings(a, b)))
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function throwError(error: Error): never {
  throw error
}
