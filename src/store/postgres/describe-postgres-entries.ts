import type { EntryFacts, EntryQuestion } from '../store.js'
import type { PostgresConnection } from './connect-postgres.js'
import { toArrayLiteral } from './item-rows.js'

/** What String.prototype.trim removes, so that "has content" means what it means to the lowdb store. */
const WHITE_SPACE = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'

interface FactsRow {
  stored: boolean
  first_source: string | null
  content_hash: string | null
  has_content: boolean
  known: boolean
}

/** Store.describeEntries in one statement for the whole list, whatever its length. */
export async function describePostgresEntries(connection: PostgresConnection, questions: readonly EntryQuestion[]): Promise<EntryFacts[]> {
  if (questions.length === 0) return []
  const rows = await connection.query<FactsRow>(
    'looking up entries',
    `SELECT i.id IS NOT NULL AS stored, i.fields -> 'sources' ->> 0 AS first_source, i.fields ->> 'contentHash' AS content_hash,
       coalesce(btrim(i.content, $3) <> '', false) AS has_content,
       i.id IS NULL AND (
         EXISTS (SELECT 1 FROM item_identities AS d WHERE d.identity = ANY (q.identities::text[]))
         OR EXISTS (SELECT 1 FROM tombstones AS t WHERE t.identity = ANY (q.identities::text[]))
       ) AS known
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q (key, identities, n)
     LEFT JOIN item_identities AS k ON k.identity = q.key
     LEFT JOIN items AS i ON i.id = k.item_id
     ORDER BY q.n`,
    [questions.map((question) => question.key), questions.map((question) => toArrayLiteral(question.identities)), WHITE_SPACE],
  )
  return rows.map((row): EntryFacts => {
    if (!row.stored) return { stored: false, known: row.known }
    const facts = { stored: true as const, firstSource: row.first_source ?? '', hasContent: row.has_content }
    return row.content_hash === null ? facts : { ...facts, contentHash: row.content_hash }
  })
}
