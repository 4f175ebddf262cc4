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
    name: 'items, identities, tombstones, category slugs, source states, publish record, category counts',
    sql: `
CREATE TABLE items (
  id text COLLATE "C" PRIMARY KEY,
  key text COLLATE "C" NOT NULL,
  category text COLLATE "C" NOT NULL,
  category_title text,
  published text NOT NULL,
  published_at timestamptz NOT NULL,
  first_seen text NOT NULL,
  updated text,
  -- The rest of the item but its bodies: title, link, aliases, sources, categories, media…
  fields jsonb NOT NULL,
  summary text,
  content text,
  -- Whether the filter with this fingerprint publishes the item; recomputed under other rules.
  verdict_fingerprint text COLLATE "C" NOT NULL,
  verdict boolean NOT NULL,
  -- Bumped by every change, so that a writer that read an older revision notices and starts over.
  revision integer NOT NULL DEFAULT 1
);
CREATE INDEX items_newest ON items (published_at DESC, id);
CREATE INDEX items_category_newest ON items (category, published_at DESC, id);
CREATE INDEX items_category_titled ON items (category, published_at DESC, id) WHERE category_title IS NOT NULL;
CREATE INDEX items_verdict_fingerprint ON items (verdict_fingerprint);

-- Every key and alias a live item is known by (its aliases list, indexed). The primary key is what
-- makes one identity one item, also between processes upserting at the same time.
CREATE TABLE item_identities (
  identity text COLLATE "C" PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id) ON DELETE CASCADE
);
CREATE INDEX item_identities_item ON item_identities (item_id);

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

-- Live and published items per category, kept by the trigger below, so that counts and the
-- retention check cost the same with a million items as with ten.
CREATE TABLE category_counts (
  category text COLLATE "C" PRIMARY KEY,
  items integer NOT NULL,
  published integer NOT NULL
);

CREATE FUNCTION count_category_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the events that have them.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO category_counts AS counts (category, items, published)
      SELECT category, count(*), count(*) FILTER (WHERE verdict) FROM new_items GROUP BY category ORDER BY category
    ON CONFLICT (category) DO UPDATE SET items = counts.items + excluded.items, published = counts.published + excluded.published;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE category_counts AS counts SET items = counts.items - gone.items, published = counts.published - gone.published
      FROM (SELECT category, count(*) AS items, count(*) FILTER (WHERE verdict) AS published FROM old_items GROUP BY category) AS gone
      WHERE counts.category = gone.category;
  ELSE
    INSERT INTO category_counts AS counts (category, items, published)
      SELECT category, sum(items), sum(published) FROM (
        SELECT category, 1 AS items, verdict::integer AS published FROM new_items
        UNION ALL
        SELECT category, -1, -verdict::integer FROM old_items
      ) AS changes GROUP BY category HAVING sum(items) <> 0 OR sum(published) <> 0 ORDER BY category
    ON CONFLICT (category) DO UPDATE SET items = counts.items + excluded.items, published = counts.published + excluded.published;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER items_counted_on_insert AFTER INSERT ON items
  REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION count_category_items();
CREATE TRIGGER items_counted_on_update AFTER UPDATE ON items
  REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION count_category_items();
CREATE TRIGGER items_counted_on_delete AFTER DELETE ON items
  REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION count_category_items();
`,
  },
  {
    version: 2,
    name: 'item membership in several categories, membership counts, item totals',
    sql: `
-- Every category the item is published in (its own first), as the filter's fingerprint decides;
-- recomputed with the verdict.
ALTER TABLE items ADD COLUMN member_of text[] COLLATE "C";
UPDATE items SET member_of = ARRAY[category];
ALTER TABLE items ALTER COLUMN member_of SET NOT NULL;
CREATE INDEX items_member_of ON items USING gin (member_of);

-- Live and published items per category of membership (an item in two categories counts in
-- each), and overall (each item once). category_counts stays per own category: retention's.
CREATE TABLE membership_counts (
  category text COLLATE "C" PRIMARY KEY,
  items integer NOT NULL,
  published integer NOT NULL
);
INSERT INTO membership_counts (category, items, published)
  SELECT category, items, published FROM category_counts ORDER BY category;
CREATE TABLE item_totals (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  items integer NOT NULL,
  published integer NOT NULL
);
INSERT INTO item_totals (items, published) SELECT count(*), count(*) FILTER (WHERE verdict) FROM items;

CREATE FUNCTION count_member_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the events that have them.
  IF TG_OP = 'INSERT' THEN
    WITH changes AS (SELECT member_of, verdict, 1 AS sign FROM new_items),
    counted AS (
      INSERT INTO membership_counts AS counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0 ORDER BY category
      ON CONFLICT (category) DO UPDATE SET items = counts.items + excluded.items, published = counts.published + excluded.published
    )
    UPDATE item_totals SET items = item_totals.items + total.items, published = item_totals.published + total.published
      FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    WITH changes AS (SELECT member_of, verdict, -1 AS sign FROM old_items),
    counted AS (
      INSERT INTO membership_counts AS counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0 ORDER BY category
      ON CONFLICT (category) DO UPDATE SET items = counts.items + excluded.items, published = counts.published + excluded.published
    )
    UPDATE item_totals SET items = item_totals.items + total.items, published = item_totals.published + total.published
      FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  ELSE
    WITH changes AS (SELECT member_of, verdict, 1 AS sign FROM new_items UNION ALL SELECT member_of, verdict, -1 FROM old_items),
    counted AS (
      INSERT INTO membership_counts AS counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0 ORDER BY category
      ON CONFLICT (category) DO UPDATE SET items = counts.items + excluded.items, published = counts.published + excluded.published
    )
    UPDATE item_totals SET items = item_totals.items + total.items, published = item_totals.published + total.published
      FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER items_members_counted_on_insert AFTER INSERT ON items
  REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION count_member_items();
CREATE TRIGGER items_members_counted_on_update AFTER UPDATE ON items
  REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION count_member_items();
CREATE TRIGGER items_members_counted_on_delete AFTER DELETE ON items
  REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION count_member_items();
`,
  },
  {
    version: 3,
    name: 'counts kept as rows of changes, so that concurrent writers do not wait for each other on them',
    sql: `
-- Every write added to or subtracted from one row per category and the one totals row, so two
-- writers of the same category waited for each other until commit, and took those rows in orders
-- that deadlocked. Each write now inserts rows of its own (no row is shared between writers);
-- readers sum them, and retention folds them back into one row per category.
ALTER TABLE category_counts DROP CONSTRAINT category_counts_pkey;
CREATE INDEX category_counts_category ON category_counts (category);
ALTER TABLE membership_counts DROP CONSTRAINT membership_counts_pkey;
CREATE INDEX membership_counts_category ON membership_counts (category);
ALTER TABLE item_totals DROP COLUMN singleton;

CREATE OR REPLACE FUNCTION count_category_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the events that have them.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO category_counts (category, items, published)
      SELECT category, count(*), count(*) FILTER (WHERE verdict) FROM new_items GROUP BY category;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO category_counts (category, items, published)
      SELECT category, -count(*), -count(*) FILTER (WHERE verdict) FROM old_items GROUP BY category;
  ELSE
    INSERT INTO category_counts (category, items, published)
      SELECT category, sum(items), sum(published) FROM (
        SELECT category, 1 AS items, verdict::integer AS published FROM new_items
        UNION ALL
        SELECT category, -1, -verdict::integer FROM old_items
      ) AS changes GROUP BY category HAVING sum(items) <> 0 OR sum(published) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION count_member_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the events that have them.
  IF TG_OP = 'INSERT' THEN
    WITH changes AS (SELECT member_of, verdict, 1 AS sign FROM new_items),
    counted AS (
      INSERT INTO membership_counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0
    )
    INSERT INTO item_totals (items, published)
      SELECT * FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    WITH changes AS (SELECT member_of, verdict, -1 AS sign FROM old_items),
    counted AS (
      INSERT INTO membership_counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0
    )
    INSERT INTO item_totals (items, published)
      SELECT * FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  ELSE
    WITH changes AS (SELECT member_of, verdict, 1 AS sign FROM new_items UNION ALL SELECT member_of, verdict, -1 FROM old_items),
    counted AS (
      INSERT INTO membership_counts (category, items, published)
        SELECT category, sum(sign), sum(sign * verdict::integer) FROM (SELECT unnest(member_of) AS category, verdict, sign FROM changes) AS members
        GROUP BY category HAVING sum(sign) <> 0 OR sum(sign * verdict::integer) <> 0
    )
    INSERT INTO item_totals (items, published)
      SELECT * FROM (SELECT coalesce(sum(sign), 0) AS items, coalesce(sum(sign * verdict::integer), 0) AS published FROM changes) AS total
      WHERE total.items <> 0 OR total.published <> 0;
  END IF;
  RETURN NULL;
END
$$;
`,
  },
  {
    version: 4,
    name: 'the text a category page shows of each item, so that pages read no bodies',
    sql: `
-- The item's summary as text, else the start of its content (to-summary-text.ts), written with the
-- item. Rows written before have none: their pages read summary and content instead.
ALTER TABLE items ADD COLUMN page_text text;
`,
  },
]
