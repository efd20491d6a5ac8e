-- Scheduled campaigns: the row is the source of truth (a BullMQ delayed job only wakes it, and
-- workers and serve re-create that job from the rows at start and now and then). A scheduled
-- campaign has its rendered snapshot but no recipients yet: they are taken from the list when it
-- starts sending.
ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check
  CHECK (status IN ('scheduled', 'sending', 'paused', 'cancelled', 'done'));
ALTER TABLE campaigns ADD COLUMN scheduled_at timestamptz;
-- The zone the operator gave the time in (shown in listings) and the sending window's.
ALTER TABLE campaigns ADD COLUMN time_zone text;
-- The sending window in minutes after local midnight: batches are claimed only inside it.
ALTER TABLE campaigns ADD COLUMN window_start smallint CHECK (window_start BETWEEN 0 AND 1439);
ALTER TABLE campaigns ADD COLUMN window_end smallint CHECK (window_end BETWEEN 0 AND 1439);
ALTER TABLE campaigns ADD CONSTRAINT campaigns_window_whole
  CHECK ((window_start IS NULL) = (window_end IS NULL) AND (window_start IS NULL OR time_zone IS NOT NULL));
ALTER TABLE campaigns ADD CONSTRAINT campaigns_scheduled_at
  CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL);

CREATE INDEX campaigns_scheduled ON campaigns (scheduled_at) WHERE status = 'scheduled';

-- The edition files of a scheduled campaign (web edition, PDF, images, the site's record), kept
-- here until it starts sending: only then are they written where the site serves them.
CREATE TABLE campaign_files (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name text NOT NULL,
  contents bytea NOT NULL,
  PRIMARY KEY (campaign_id, name)
);
