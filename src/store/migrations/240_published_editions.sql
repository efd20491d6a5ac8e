-- The published editions (web page, PDF, images, the site's record site.json) of every issue, the
-- source of truth for every `serve` on every machine: each keeps <data dir>/editions as a cache of
-- these rows, filled at start, on NOTIFY bulletin_editions (sent by `publish` in the transaction
-- that stores an issue's files) and on a miss. A PDF of a few MB sits well in bytea.
CREATE TABLE edition_files (
  publication text NOT NULL,
  issue text NOT NULL,
  -- Inside the issue's folder: index.html, global-eye-005.pdf, images/map.png …
  path text NOT NULL,
  content bytea NOT NULL,
  content_type text NOT NULL,
  -- Hex SHA-256 of content: the caches compare it with their file, and it is the ETag's ground.
  sha256 text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (publication, issue, path)
);
