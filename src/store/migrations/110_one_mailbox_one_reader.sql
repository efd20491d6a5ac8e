-- One mailbox, one reader: addresses differing only in case are one subscriber. Rows that already
-- exist twice (carol@ and CAROL@) are merged into one; every absorbed row is kept whole in
-- merged_subscribers, so no consent record or history is lost, and its old links still resolve.
CREATE TABLE merged_subscribers (
  -- The absorbed row's id: tokens already sent name it.
  id bigint PRIMARY KEY,
  -- The row that stands for the mailbox now.
  into_id bigint NOT NULL,
  merged_at timestamptz NOT NULL,
  absorbed jsonb NOT NULL
);

-- Which row survives: a complaint or a bounce (about the mailbox, whatever its case) first, then
-- the owner's latest word (confirmed or unsubscribed), a pending request last.
INSERT INTO merged_subscribers (id, into_id, merged_at, absorbed)
SELECT s.id, r.survivor, now(), to_jsonb(s)
FROM subscribers s
JOIN (
  SELECT id, first_value(id) OVER (
    PARTITION BY publication, lower(email)
    ORDER BY CASE status WHEN 'complained' THEN 0 WHEN 'bounced' THEN 1 WHEN 'pending' THEN 3 ELSE 2 END,
      GREATEST(COALESCE(confirmed_at, '-infinity'), COALESCE(unsubscribed_at, '-infinity')) DESC, id
  ) AS survivor
  FROM subscribers
) r ON r.id = s.id
WHERE r.id <> r.survivor;

-- The survivor keeps the earliest sign-up, a name, the worst bounce score, and a consent record
-- when it had none of its own.
UPDATE subscribers s SET
  created_at = LEAST(s.created_at, m.created_at),
  name = COALESCE(s.name, m.name),
  confirmed_at = COALESCE(s.confirmed_at, m.confirmed_at),
  consent_method = CASE WHEN s.confirmed_at IS NULL THEN m.consent_method ELSE s.consent_method END,
  consent_evidence = CASE WHEN s.confirmed_at IS NULL THEN m.consent_evidence ELSE s.consent_evidence END,
  bounce_score = GREATEST(s.bounce_score, m.bounce_score)
FROM (
  SELECT DISTINCT ON (into_id) into_id,
    min((absorbed->>'created_at')::timestamptz) OVER (PARTITION BY into_id) AS created_at,
    absorbed->>'name' AS name,
    (absorbed->>'confirmed_at')::timestamptz AS confirmed_at,
    absorbed->>'consent_method' AS consent_method,
    absorbed->>'consent_evidence' AS consent_evidence,
    max((absorbed->>'bounce_score')::real) OVER (PARTITION BY into_id) AS bounce_score
  FROM merged_subscribers
  ORDER BY into_id, (absorbed->>'confirmed_at')::timestamptz DESC NULLS LAST
) m
WHERE s.id = m.into_id;

DELETE FROM subscribers WHERE id IN (SELECT id FROM merged_subscribers);

ALTER TABLE subscribers DROP CONSTRAINT subscribers_publication_email_key;

CREATE UNIQUE INDEX subscribers_publication_mailbox ON subscribers (publication, lower(email));

-- Bumped by every change of status: a subscribe token is bound to it, so it acts once, and only
-- on the state it was issued for.
ALTER TABLE subscribers ADD COLUMN generation integer NOT NULL DEFAULT 0;

UPDATE subscribers SET generation = 1 WHERE id IN (SELECT into_id FROM merged_subscribers);
