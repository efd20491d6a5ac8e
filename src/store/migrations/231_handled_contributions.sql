-- An editor marks a contribution handled (replied to, used, discarded): when and by whom.
ALTER TABLE contributions ADD COLUMN handled_at timestamptz;
ALTER TABLE contributions ADD COLUMN handled_by text;

-- The ones still to handle, newest first.
CREATE INDEX contributions_unhandled ON contributions (publication, id) WHERE handled_at IS NULL;
