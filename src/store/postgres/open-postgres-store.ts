import { toSummaryText } from '../../text/to-summary-text.js'
import type { ItemFilter, Logger, PageItem, PublishRecord, SourceState, StoredItem } from '../../types.js'
import { toCanonicalPublishRecord, toCanonicalSourceState } from '../canonical-form.js'
import type { ItemCounts, Store, StoreRecord } from '../store.js'
import { checkPostgresStore } from './check-postgres-store.js'
import { connectPostgres, type PostgresConnection } from './connect-postgres.js'
import { describePostgresEntries } from './describe-postgres-entries.js'
import { ITEM_COLUMNS, type ItemRow, toStoredItem } from './item-rows.js'
import { judgePostgresItems } from './judge-postgres-items.js'
import { migratePostgres } from './migrate-postgres.js'
import { exportPostgresRows, importPostgresRows } from './postgres-records.js'
import { PUBLISH_EVERY_ITEM } from '../store.js'
import type { PostgresSession } from './postgres-session.js'
import { prunePostgresItems } from './prune-postgres-items.js'
import { upsertPostgresEntries } from './upsert-postgres-entries.js'

export interface OpenPostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; `?options=-c search_path=…` picks a schema. */
  url: string
  /** What newestItems, liveItems and countItems publish. @default every item */
  filter?: ItemFilter
  /** Told which schema migrations opening applied. */
  log?: Logger
  /** See OpenStoreOptions.sourceOrder. */
  sourceOrder?: readonly string[]
}

/**
 * Opens the store kept in a PostgreSQL database, creating or migrating its schema first. Every
 * handle has its own connection; its changes are staged in one transaction, which commit() ends,
 * so other handles and processes see them all at once or not at all. Identity is kept by unique
 * constraints, and writers of the same story take its identities' locks in turn: any number of
 * processes may open the same store and write it at once.
 * @throws StoreError E_STORE_CONNECT, E_STORE_VERSION or E_STORE_IO
 */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<Store> {
  const connection = await connectPostgres(options.url)
  try {
    const migrated = await migratePostgres(connection)
    for (const step of migrated.applied) {
      options.log?.info(`PostgreSQL store ${connection.label}: applied migration ${step.version} (${step.name})`, { version: step.version })
    }
  } catch (err) {
    await connection.close()
    throw err
  }
  return createPostgresStore(connection, options.filter, options.sourceOrder)
}

function createPostgresStore(connection: PostgresConnection, filter: ItemFilter | undefined, sourceOrder: readonly string[] | undefined): Store {
  let staging = false
  let changed = false
  const session: PostgresSession = {
    connection,
    filter: filter ?? PUBLISH_EVERY_ITEM,
    isFiltered: filter !== undefined,
    sourceOrder,
    locks: { identities: 0, isSoleWriter: false },
    async stage() {
      if (staging) return
      await connection.query('starting a transaction', 'BEGIN')
      staging = true
      session.locks.identities = 0
      session.locks.isSoleWriter = false
    },
    isStaging: () => staging,
    markChanged() {
      changed = true
    },
  }
  // What this handle has read or staged; dropped whenever its transaction ends.
  let sources: Map<string, SourceState> | undefined
  let publish: PublishRecord | undefined
  let judging: Promise<void> | undefined
  const forgetStaged = (): void => {
    staging = false
    changed = false
    sources = undefined
    publish = undefined
    judging = undefined
  }

  // One connection runs one statement at a time, and a multi-statement change (an upsert under
  // its savepoint) must not interleave with another: calls on a handle run one after another.
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run, run)
    queue = result.catch(() => undefined)
    return result
  }
  const judged = (): Promise<void> => (session.isFiltered ? (judging ??= judgePostgresItems(session)) : Promise.resolve())
  const publishedOnly = session.isFiltered ? 'AND verdict' : ''
  // Without a filter an item is in its own category only; membership lists are the filter's.
  const inCategory = session.isFiltered ? 'member_of @> ARRAY[$2::text]' : 'category = $2'
  const counts = session.isFiltered ? { table: 'membership_counts', column: 'published' } : { table: 'category_counts', column: 'items' }
  const readItems = async (what: string, where: string, values: unknown[], limit = ''): Promise<StoredItem[]> => {
    await judged()
    const rows = await connection.query<ItemRow>(what, `SELECT ${ITEM_COLUMNS} FROM items WHERE ${where} ${publishedOnly} ORDER BY published_at DESC, id ${limit}`, values)
    return rows.map(toStoredItem)
  }
  const readPageItems = async (where: string, values: unknown[], limit: string): Promise<PageItem[]> => {
    await judged()
    // Bodies cross the wire only for rows written before page_text was kept.
    const rows = await connection.query<PageRow>(
      'reading the items of a page',
      `SELECT id, published, fields->>'title' AS title, fields->>'link' AS link, fields->>'author' AS author, fields->>'media' AS media, page_text,
         CASE WHEN page_text IS NULL THEN summary END AS summary, CASE WHEN page_text IS NULL THEN content END AS content
       FROM items WHERE ${where} ${publishedOnly} ORDER BY published_at DESC, id ${limit}`,
      values,
    )
    return rows.map(toPageItem)
  }
  const loadSources = async (): Promise<Map<string, SourceState>> => {
    sources ??= await readSourceStates(connection)
    return sources
  }
  const loadPublish = async (): Promise<PublishRecord> => {
    publish ??= await readPublishRecord(connection)
    return publish
  }
  const loadSource = async (id: string): Promise<SourceState | undefined> => {
    if (sources !== undefined) return sources.get(id)
    const [row] = await connection.query<{ state: SourceState }>('reading a source state', 'SELECT state FROM source_states WHERE source_id = $1', [id])
    return row === undefined ? undefined : toCanonicalSourceState(row.state)
  }
  const setSourceState = async (id: string, state: SourceState): Promise<void> => {
    const canonical = toCanonicalSourceState(state)
    const current = await loadSource(id)
    // Canonical states have sorted keys, so equal states have equal JSON.
    if (current !== undefined && JSON.stringify(current) === JSON.stringify(canonical)) return
    await session.stage()
    await connection.query(
      'saving a source state',
      'INSERT INTO source_states (source_id, state) VALUES ($1, $2) ON CONFLICT (source_id) DO UPDATE SET state = excluded.state',
      [id, JSON.stringify(canonical)],
    )
    // A later sourceStates() reads the table, this write included: the cache is only kept once loaded.
    sources?.set(id, canonical)
    changed = true
  }
  const setPublishRecord = async (record: PublishRecord): Promise<void> => {
    const canonical = toCanonicalPublishRecord(record)
    if (JSON.stringify(canonical) === JSON.stringify(await loadPublish())) return
    await session.stage()
    await connection.query(
      'saving the publish record',
      'INSERT INTO publish_record (record) VALUES ($1) ON CONFLICT (singleton) DO UPDATE SET record = excluded.record',
      [JSON.stringify(canonical)],
    )
    publish = canonical
    changed = true
  }

  return {
    findItem: (keys) =>
      exclusive(async () => {
        const rows = await connection.query<ItemRow & { identity: string }>(
          'looking up an item',
          `SELECT d.identity, ${ITEM_COLUMNS} FROM item_identities AS d JOIN items ON items.id = d.item_id WHERE d.identity = ANY($1::text[])`,
          [keys],
        )
        const byIdentity = new Map(rows.map((row) => [row.identity, row]))
        const row = keys.map((key) => byIdentity.get(key)).find((found) => found !== undefined)
        return row === undefined ? undefined : toStoredItem(row)
      }),
    isTombstoned: (keys) =>
      exclusive(async () => {
        const [row] = await connection.query<{ hit: boolean }>(
          'looking up tombstones',
          'SELECT EXISTS (SELECT 1 FROM tombstones WHERE identity = ANY($1::text[])) AS hit',
          [keys],
        )
        return row?.hit === true
      }),
    describeEntries: (questions) => exclusive(() => describePostgresEntries(connection, questions)),
    upsert: (entries, now) => exclusive(() => upsertPostgresEntries(session, entries, now)),
    prune: (options) => exclusive(() => prunePostgresItems(session, options)),
    newestItems: ({ category, limit, offset = 0 }) =>
      exclusive(() =>
        category === undefined
          ? readItems('reading the newest items', 'true', [limit, offset], 'LIMIT $1 OFFSET $2')
          : readItems('reading the newest items', inCategory, [limit, category, offset], 'LIMIT $1 OFFSET $3'),
      ),
    pageItems: ({ category, limit, offset = 0 }) =>
      exclusive(() =>
        category === undefined ? readPageItems('true', [limit, offset], 'LIMIT $1 OFFSET $2') : readPageItems(inCategory, [limit, category, offset], 'LIMIT $1 OFFSET $3'),
      ),
    liveItems: ({ since }) => exclusive(() => readItems('reading the live items', 'published_at >= $1', [since.toISOString()])),
    countItems: () =>
      exclusive(async () => {
        await judged()
        const rows = await connection.query<{ category: string; items: number; title: string | null }>(
          'counting items',
          // A title describes the item's own category, not the others it is listed in. Counts are
          // rows of changes, summed per category.
          `SELECT counts.category, counts.items, titled.title
           FROM (SELECT category, sum(${counts.column})::integer AS items FROM ${counts.table} GROUP BY category) AS counts
           LEFT JOIN LATERAL (
             SELECT category_title AS title FROM items
             WHERE items.category = counts.category AND category_title IS NOT NULL ${publishedOnly}
             ORDER BY published_at DESC, id LIMIT 1
           ) AS titled ON true
           WHERE counts.items > 0 ORDER BY counts.category`,
        )
        const [totals] = await connection.query<{ items: number }>('counting items', `SELECT coalesce(sum(${counts.column}), 0)::integer AS items FROM item_totals`)
        const result: ItemCounts = { all: totals?.items ?? 0, categories: new Map() }
        for (const row of rows) {
          result.categories.set(row.category, row.title === null ? { items: row.items } : { items: row.items, title: row.title })
        }
        return result
      }),
    sourceStates: () => exclusive(async () => new Map([...(await loadSources())].map(([id, state]) => [id, structuredClone(state)]))),
    sourceState: (id) =>
      exclusive(async () => {
        const state = await loadSource(id)
        return state === undefined ? undefined : structuredClone(state)
      }),
    setSourceState: (id, state) => exclusive(() => setSourceState(id, state)),
    publishRecord: () => exclusive(async () => structuredClone(await loadPublish())),
    setPublishRecord: (record) => exclusive(() => setPublishRecord(record)),
    hasChanges: () => changed,
    commit: () =>
      exclusive(async () => {
        if (!staging) return false
        const wrote = changed
        try {
          await connection.query('committing', 'COMMIT')
        } finally {
          // What was read in the transaction is another process's to change from now on: a handle
          // kept open for the next job reads afresh.
          forgetStaged()
        }
        return wrote
      }),
    async *exportRecords() {
      // Its own snapshot, unless changes are staged: a copy is one moment of the store, even while
      // a worker commits cycles into it.
      const ownSnapshot = !staging
      if (ownSnapshot) await connection.query('exporting the store', 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      try {
        yield* exportPostgresRows(session)
        const states = await readSourceStates(connection)
        if (states.size > 0) yield [...states].map(([id, state]): StoreRecord => ({ kind: 'source', id, state }))
        const record = await readPublishRecord(connection)
        if (Object.keys(record).length > 0) yield [{ kind: 'publish', record }]
      } finally {
        if (ownSnapshot) await connection.query('exporting the store', 'COMMIT')
      }
    },
    importRecords: (records) =>
      exclusive(async () => {
        const items: StoredItem[] = []
        const tombstones: { identity: string; prunedAt: string }[] = []
        const categorySlugs: { slug: string; name: string }[] = []
        for (const record of records) {
          if (record.kind === 'item') items.push(record.item)
          else if (record.kind === 'tombstone') tombstones.push(record)
          else if (record.kind === 'category-slug') categorySlugs.push(record)
          else if (record.kind === 'source') await setSourceState(record.id, record.state)
          else await setPublishRecord(record.record)
        }
        if (items.length + tombstones.length + categorySlugs.length === 0) return
        await session.stage()
        await importPostgresRows(session, items, tombstones, categorySlugs)
        changed = true
      }),
    check: () => exclusive(() => checkPostgresStore(connection)),
    close: () =>
      exclusive(async () => {
        if (staging) await connection.query('rolling back', 'ROLLBACK').catch(() => undefined)
        forgetStaged()
        await connection.close()
      }),
  }
}

/** One row of the page statement: what a page shows, and the bodies only where page_text is missing. */
interface PageRow {
  id: string
  published: string
  title: string
  link: string | null
  author: string | null
  media: string | null
  page_text: string | null
  summary: string | null
  content: string | null
}

function toPageItem(row: PageRow): PageItem {
  return {
    id: row.id,
    title: row.title,
    ...(row.link === null ? {} : { link: row.link }),
    ...(row.author === null ? {} : { author: row.author }),
    ...(row.media === null ? {} : { media: row.media }),
    published: row.published,
    summaryText: row.page_text ?? toSummaryText({ ...(row.summary === null ? {} : { summary: row.summary }), ...(row.content === null ? {} : { content: row.content }) }),
  }
}

async function readSourceStates(connection: PostgresConnection): Promise<Map<string, SourceState>> {
  const rows = await connection.query<{ source_id: string; state: SourceState }>('reading source states', 'SELECT source_id, state FROM source_states ORDER BY source_id')
  // jsonb keeps keys in an order of its own.
  return new Map(rows.map((row) => [row.source_id, toCanonicalSourceState(row.state)]))
}

async function readPublishRecord(connection: PostgresConnection): Promise<PublishRecord> {
  const [row] = await connection.query<{ record: PublishRecord }>('reading the publish record', 'SELECT record FROM publish_record')
  return toCanonicalPublishRecord(row?.record ?? {})
}
