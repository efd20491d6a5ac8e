-- A campaign whose SMTP server keeps answering 4xx (or is gone) says so: how many recipients are
-- still queued after a deferral (their delivery row is queued with the deferral's detail), and
-- the last deferral's reason and time. Kept by the statement that records results, only when a
-- deferral is involved, so a campaign that sends fine never writes here.
CREATE TABLE campaign_deferrals (
  campaign_id bigint PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  deferred integer NOT NULL DEFAULT 0,
  last_error text,
  last_error_at timestamptz
);

-- Campaigns already sending: their deferred recipients as they stand.
INSERT INTO campaign_deferrals (campaign_id, deferred)
SELECT campaign_id, count(*) FROM deliveries WHERE status = 'queued' AND detail IS NOT NULL GROUP BY campaign_id;
