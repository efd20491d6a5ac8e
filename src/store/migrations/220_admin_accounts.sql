-- The admin's accounts and their sessions, shared by every `serve` of the installation (a session
-- opened on one machine is valid on the others behind the same proxy).
--
-- Names are stored lower-cased (case-blind, like mailboxes). The hash is argon2id's PHC string
-- (algorithm, parameters and salt inside), so stronger parameters later need no migration.
CREATE TABLE admin_accounts (
  name text PRIMARY KEY CHECK (name = lower(name)),
  role text NOT NULL CHECK (role IN ('editor', 'publisher')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Only a digest of the session id is kept: a copy of the database opens no session.
CREATE TABLE admin_sessions (
  id_digest text PRIMARY KEY,
  account text,
  data jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);
CREATE INDEX admin_sessions_account ON admin_sessions (account) WHERE account IS NOT NULL;
