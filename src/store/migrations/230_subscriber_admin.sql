-- The editors' admin over subscribers (src/subscribers/directory.ts, editors.ts).

-- Finding a reader by any part of the address among a million: a trigram index on the mailbox,
-- read by `lower(email) LIKE '%…%'`. pg_trgm ships with PostgreSQL (contrib) and is a trusted
-- extension, so a database owner may create it; where it is missing, a prefix index takes its
-- place and the admin searches by the start of the address. (The migration runner splits files on
-- ";" at line ends, so the block's statements end their lines with something else.)
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm
  ; CREATE INDEX subscribers_mailbox_trigrams ON subscribers USING gin (lower(email) gin_trgm_ops)
  ; EXCEPTION WHEN OTHERS THEN
    CREATE INDEX subscribers_mailbox_prefix ON subscribers (publication, lower(email) text_pattern_ops)
  ; END
$$;

-- A publication's readers newest first, a page at a time, whatever their status.
CREATE INDEX subscribers_publication_id ON subscribers (publication, id);

-- What an editor did to a subscriber, and who: part of the subscriber's history. Goes with the
-- subscriber when it is erased.
CREATE TABLE subscriber_events (
  id bigserial PRIMARY KEY,
  subscriber_id bigint NOT NULL,
  at timestamptz NOT NULL,
  -- The admin account, or "command line".
  actor text NOT NULL,
  -- invited, added, unsubscribed
  action text NOT NULL,
  detail text
);

CREATE INDEX subscriber_events_subscriber ON subscriber_events (subscriber_id, id);

-- Mailboxes erased at their owner's request (GDPR): no address, only its SHA-256 (lower-cased),
-- so that an import or an editor never adds the person again; only the owner can, by subscribing
-- and confirming. Who erased and when, for accountability.
CREATE TABLE erased_mailboxes (
  publication text NOT NULL,
  mailbox_sha256 text NOT NULL,
  erased_at timestamptz NOT NULL,
  erased_by text NOT NULL,
  PRIMARY KEY (publication, mailbox_sha256)
);

-- Editors add readers too; they must still confirm (or the editor records where consent was given).
ALTER TABLE subscribers DROP CONSTRAINT subscribers_source_check;
ALTER TABLE subscribers ADD CONSTRAINT subscribers_source_check CHECK (source IN ('email', 'web', 'import', 'admin'));
