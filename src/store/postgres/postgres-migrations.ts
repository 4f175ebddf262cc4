/** One step of the PostgreSQL schema, applied once, in order, in a transaction of its own. */
export interface PostgresMigration {
  /** 1, 2, 3…: the schema's version once this step is applied. */
  version: number
  /** What the step does, as `feedloom store migrate` prints it. */
  name: string
  sql: string
}

/**
 * The schema, as the steps that build it. A released step is never edited: a change is a new
 * step at the end, because stores out there already ran the old ones.
 *
 * Identifiers and ordered keys use COLLATE "C" so that PostgreSQL orders them by code point, as
 * the lowdb store does, whatever the server's locale. Instants the store hands back are kept as
 * the text it was given (`published`, `first_seen`), beside a timestamptz copy to sort and prune on.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'items, identities, tombstones, category slugs, source states, publish record',
    sql: `
CREATE TABLE items (
  id text COLLATE "C" PRIMARY KEY,
  key text COLLATE "C" NOT NULL,
  category text COLLATE "C" NOT NULL,
  published text NOT NULL,
  published_at timestamptz NOT NULL,
  first_seen text NOT NULL,
  updated text,
  -- Everything else of the item but its bodies: title, link, sources, categories, media…
  fields jsonb NOT NULL,
  summary text,
  content text
);
CREATE INDEX items_newest ON items (published_at DESC, id);
CREATE INDEX items_category_newest ON items (category, published_at DESC, id);

-- Every key and alias an item is known by; the primary key is what makes one identity one item,
-- also between processes upserting at the same time.
CREATE TABLE item_identities (
  identity text COLLATE "C" PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  position integer NOT NULL
);
CREATE INDEX item_identities_item ON item_identities (item_id, position);

CREATE TABLE tombstones (
  identity text COLLATE "C" PRIMARY KEY,
  pruned_at timestamptz NOT NULL
);
CREATE INDEX tombstones_pruned_at ON tombstones (pruned_at);

CREATE TABLE category_slugs (
  slug text COLLATE "C" PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE source_states (
  source_id text COLLATE "C" PRIMARY KEY,
  state jsonb NOT NULL
);

CREATE TABLE publish_record (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  record jsonb NOT NULL
);
`,
  },
]
