-- Delivery at any list size: every per-batch statement finds its rows through an index that holds
-- only that batch (or that one row), whatever the planner's statistics say. A freshly snapshotted
-- campaign has none, and statistics of an earlier campaign say nothing about this one.

-- A batch's queued recipients, already in send order: the claim reads them, every results flush
-- updates them. Replaces deliveries_batch, whose order needed a sort and which a planner without
-- statistics passed over for the primary key with only the campaign as the bound.
CREATE INDEX deliveries_queued ON deliveries (campaign_id, batch, subscriber_id) WHERE status = 'queued';
DROP INDEX deliveries_batch;

-- `publish --resend-failed` finds the failed few without reading the campaign's every row.
CREATE INDEX deliveries_failed ON deliveries (campaign_id, batch) WHERE status = 'failed';

-- Batches not yet done, counted as they finish: "was that the last one?" is one row read, not a
-- search through the campaign's batches (finished ones linger in any index until a vacuum).
ALTER TABLE campaigns ADD COLUMN open_batches integer NOT NULL DEFAULT 0;
UPDATE campaigns c SET open_batches = (
  SELECT count(*) FROM campaign_batches b WHERE b.campaign_id = c.id AND b.status <> 'done');

-- Mailbox lookups are case-blind: the lower-cased address of each list's subscribers.
CREATE INDEX subscribers_publication_lower_email ON subscribers (publication, lower(email));
