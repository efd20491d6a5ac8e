-- Subscribers are per publication (its slug). Rows are never deleted except by `subscribers erase`.
CREATE TABLE subscribers (
  id bigserial PRIMARY KEY,
  publication text NOT NULL,
  -- Local part as given, domain lower-cased (see normaliseAddress).
  email text NOT NULL,
  name text,
  status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced', 'complained')),
  source text NOT NULL CHECK (source IN ('email', 'web', 'import')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The consent record: how (email-reply, web, import, cli) and when, with the evidence
  -- (the confirming message's Message-ID, the IP that pressed the button, the import file).
  confirmed_at timestamptz,
  consent_method text,
  consent_evidence text,
  unsubscribed_at timestamptz,
  -- Soft bounces add to the score; reaching the threshold marks the subscriber bounced.
  bounce_score real NOT NULL DEFAULT 0,
  last_bounce_at timestamptz,
  UNIQUE (publication, email)
);

-- Delivery streams confirmed subscribers of one publication in id order.
CREATE INDEX subscribers_publication_status_id ON subscribers (publication, status, id);
