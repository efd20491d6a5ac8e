-- A campaign is one issue sent to one publication's list. The plan (recipients and batches) is
-- written before anything is sent, so a crash or a lost Redis never loses track of who is owed.
CREATE TABLE campaigns (
  id bigserial PRIMARY KEY,
  publication text NOT NULL,
  issue_number integer NOT NULL,
  issue_code text NOT NULL,
  -- The rendered email as sent: workers on any machine build the message from this snapshot.
  subject text NOT NULL,
  html text NOT NULL,
  text text NOT NULL,
  list_name text NOT NULL,
  list_address text NOT NULL,
  public_url text NOT NULL,
  -- The PDF edition, only when the publication attaches it (pdf.attach in publication.yml).
  attachment_name text,
  attachment bytea,
  batch_size integer NOT NULL,
  status text NOT NULL CHECK (status IN ('sending', 'paused', 'cancelled', 'done')),
  status_reason text,
  -- Bumped by `publish --resend-failed`, so the new jobs get new ids.
  round integer NOT NULL DEFAULT 0,
  recipients integer NOT NULL,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  UNIQUE (publication, issue_number)
);

-- pending → submitting (a worker holds the lease) → done (every recipient in a final state).
CREATE TABLE campaign_batches (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  batch integer NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitting', 'done')),
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, batch)
);

CREATE INDEX campaign_batches_open ON campaign_batches (campaign_id, batch) WHERE status <> 'done';

-- One row per recipient: queued → sent | failed | bounced | skipped. No foreign key to
-- subscribers: an erased subscriber's delivery record stays (with the address it went to).
CREATE TABLE deliveries (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  subscriber_id bigint NOT NULL,
  email text NOT NULL,
  batch integer NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'skipped')),
  attempts integer NOT NULL DEFAULT 0,
  detail text,
  updated_at timestamptz,
  PRIMARY KEY (campaign_id, subscriber_id)
);

CREATE INDEX deliveries_batch ON deliveries (campaign_id, batch) WHERE status = 'queued';

-- Per-status counts, kept in the same statement that changes deliveries, so `status` is O(1)
-- and exact for any list size.
CREATE TABLE campaign_counts (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  status text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (campaign_id, status)
);
