import type { PostgresConnection } from './connect-postgres.js'
import { readSchemaVersion } from './migrate-postgres.js'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js'

/** Lines of one kind reported at most: a store broken everywhere is said so without a million lines. */
const MAX_LINES_PER_PROBLEM = 20

/**
 * What `feedloom store check` reports for a PostgreSQL store: the constraints already guarantee
 * one item per identity and no identity without its item, so this looks at what they cannot: each
 * item's aliases list against the identity index, and the kept counts against the items.
 */
export async function checkPostgresStore(connection: PostgresConnection): Promise<string[]> {
  const what = 'checking the store'
  const problems: string[] = []
  const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0
  const version = await readSchemaVersion(connection)
  if (version !== latest) problems.push(`schema version is ${version}, this feedloom's is ${latest}: run feedloom store migrate`)
  const unowned = await connection.query<{ id: string; identity: string; owner: string | null }>(
    what,
    `SELECT i.id, a.identity, d.item_id AS owner
     FROM items AS i CROSS JOIN LATERAL jsonb_array_elements_text(i.fields->'aliases') AS a (identity)
     LEFT JOIN item_identities AS d ON d.identity = a.identity
     WHERE d.item_id IS DISTINCT FROM i.id ORDER BY i.id, a.identity LIMIT ${MAX_LINES_PER_PROBLEM}`,
  )
  for (const row of unowned) {
    problems.push(`item ${row.id} lists ${row.identity}, which ${row.owner === null ? 'the identity index does not have' : `the identity index gives to item ${row.owner}`}`)
  }
  const unlisted = await connection.query<{ id: string; identity: string }>(
    what,
    `SELECT d.item_id AS id, d.identity FROM item_identities AS d JOIN items AS i ON i.id = d.item_id
     WHERE NOT (i.fields->'aliases' ? d.identity) ORDER BY d.item_id, d.identity LIMIT ${MAX_LINES_PER_PROBLEM}`,
  )
  for (const row of unlisted) problems.push(`the identity index gives ${row.identity} to item ${row.id}, which does not list it`)
  const miscounted = await connection.query<{ category: string; items: number; counted_items: number; published: number; counted_published: number }>(
    what,
    `SELECT category, coalesce(actual.items, 0) AS items, coalesce(counts.items, 0) AS counted_items,
            coalesce(actual.published, 0) AS published, coalesce(counts.published, 0) AS counted_published
     FROM (SELECT category, count(*)::integer AS items, (count(*) FILTER (WHERE verdict))::integer AS published FROM items GROUP BY category) AS actual
     FULL JOIN (SELECT category, sum(items)::integer AS items, sum(published)::integer AS published FROM category_counts GROUP BY category) AS counts USING (category)
     WHERE coalesce(actual.items, 0) <> coalesce(counts.items, 0) OR coalesce(actual.published, 0) <> coalesce(counts.published, 0)
     ORDER BY category LIMIT ${MAX_LINES_PER_PROBLEM}`,
  )
  for (const row of miscounted) {
    problems.push(`category ${row.category} has ${row.items} items (${row.published} published) but category_counts says ${row.counted_items} (${row.counted_published})`)
  }
  const mismembered = await connection.query<{ category: string; items: number; counted_items: number; published: number; counted_published: number }>(
    what,
    `SELECT category, coalesce(actual.items, 0) AS items, coalesce(counts.items, 0) AS counted_items,
            coalesce(actual.published, 0) AS published, coalesce(counts.published, 0) AS counted_published
     FROM (SELECT m.member AS category, count(*)::integer AS items, (count(*) FILTER (WHERE verdict))::integer AS published
           FROM items CROSS JOIN LATERAL unnest(member_of) AS m (member) GROUP BY m.member) AS actual
     FULL JOIN (SELECT category, sum(items)::integer AS items, sum(published)::integer AS published FROM membership_counts GROUP BY category) AS counts USING (category)
     WHERE coalesce(actual.items, 0) <> coalesce(counts.items, 0) OR coalesce(actual.published, 0) <> coalesce(counts.published, 0)
     ORDER BY category LIMIT ${MAX_LINES_PER_PROBLEM}`,
  )
  for (const row of mismembered) {
    problems.push(`category ${row.category} has ${row.items} member items (${row.published} published) but membership_counts says ${row.counted_items} (${row.counted_published})`)
  }
  const [totals] = await connection.query<{ items: number; counted_items: number; published: number; counted_published: number }>(
    what,
    `SELECT actual.items, totals.items AS counted_items, actual.published, totals.published AS counted_published
     FROM (SELECT count(*)::integer AS items, (count(*) FILTER (WHERE verdict))::integer AS published FROM items) AS actual,
       (SELECT coalesce(sum(items), 0)::integer AS items, coalesce(sum(published), 0)::integer AS published FROM item_totals) AS totals`,
  )
  if (totals !== undefined && (totals.items !== totals.counted_items || totals.published !== totals.counted_published)) {
    problems.push(`the store has ${totals.items} items (${totals.published} published) but item_totals says ${totals.counted_items} (${totals.counted_published})`)
  }
  return problems
}
