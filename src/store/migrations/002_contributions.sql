-- Mail to the list address that is not a command: kept for the editors, raw and parsed.
CREATE TABLE contributions (
  id bigserial PRIMARY KEY,
  publication text NOT NULL,
  received_at timestamptz NOT NULL,
  envelope_from text,
  from_address text,
  from_name text,
  subject text,
  message_id text,
  text_body text,
  raw bytea NOT NULL
);

CREATE INDEX contributions_publication_id ON contributions (publication, id);

CREATE TABLE contribution_attachments (
  id bigserial PRIMARY KEY,
  contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
  filename text,
  content_type text NOT NULL,
  size integer NOT NULL,
  content bytea NOT NULL
);

CREATE INDEX contribution_attachments_contribution ON contribution_attachments (contribution_id);
