-- Every automatic mail the list server sent (confirmations, welcomes, help, acknowledgements), by
-- mailbox: the caps on automatic mail per address count here, shared by every process.
CREATE TABLE automatic_mail (
  id bigserial PRIMARY KEY,
  -- The address, lower-cased.
  mailbox text NOT NULL,
  publication text NOT NULL,
  kind text NOT NULL,
  sent_at timestamptz NOT NULL
);

CREATE INDEX automatic_mail_mailbox ON automatic_mail (mailbox, sent_at);

CREATE INDEX automatic_mail_sent_at ON automatic_mail (sent_at);
