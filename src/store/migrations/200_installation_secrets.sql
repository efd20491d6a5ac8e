-- Secrets of the installation, shared by every process on every machine through the database
-- (not the data dir, which is per machine). Today one: 'tokens', which signs confirmation and
-- unsubscribe links. Written once, by the first process to start, and never changed by bulletin:
-- changing it would expire every link already sent.
CREATE TABLE installation_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
