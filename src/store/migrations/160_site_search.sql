-- The public site's search (src/site/search.ts): the text of every article of every published
-- issue, with its tsvector in the publication's text search configuration (english, french, …;
-- 'simple' for a language PostgreSQL has no stemmer for). Rows are replaced whenever an issue is
-- published again; `revision` says which rendering of the issue they came from.
CREATE TABLE site_articles (
  publication text NOT NULL,
  issue_code text NOT NULL,
  issue_number integer NOT NULL,
  issue_title text NOT NULL,
  -- The issue's position in reading order, so results of one issue list in that order.
  position integer NOT NULL,
  slug text NOT NULL,
  section text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  language regconfig NOT NULL,
  document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(language, title), 'A') || setweight(to_tsvector(language, body), 'B')
  ) STORED,
  PRIMARY KEY (publication, issue_code, slug)
);

-- Every search reads through this: `document @@ <query>` (and nothing else) picks the rows.
-- Written rarely (a publish), read often: no pending list, whose size makes the planner shun the
-- index after a bulk insert until a vacuum.
CREATE INDEX site_articles_document ON site_articles USING GIN (document) WITH (fastupdate = off);

-- One row per indexed issue: which rendering (its renderedAt) is in site_articles.
CREATE TABLE site_issues (
  publication text NOT NULL,
  issue_code text NOT NULL,
  revision text NOT NULL,
  PRIMARY KEY (publication, issue_code)
);
