-- Changes to an existing subscriber that wait for the owner's confirmation (today: the display
-- name). A confirm link names one row here; it applies that change only, once, and only while the
-- subscriber is still in the state it was requested in (its generation). Kept after use: the
-- history of who asked for what, and the owner's proof of consent.
CREATE TABLE subscriber_changes (
  id bigserial PRIMARY KEY,
  subscriber_id bigint NOT NULL,
  -- The subscriber's generation when the change was requested.
  generation integer NOT NULL,
  name text,
  requested_at timestamptz NOT NULL,
  -- Where the request came from (email, web).
  requested_by text NOT NULL,
  confirmed_at timestamptz,
  -- The owner's proof: the IP that pressed the button.
  consent_evidence text
);

CREATE INDEX subscriber_changes_subscriber ON subscriber_changes (subscriber_id);
