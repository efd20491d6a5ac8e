-- Each reader is sent the edition in their language (issue 15). The campaign row keeps the edition in
-- the publication's default language, as before; its translations' editions sit here, each with its
-- own subject, HTML, text and PDF. A reader whose language has none gets the default's.
ALTER TABLE campaigns ADD COLUMN language text;  -- the default edition's language code; NULL before 270
CREATE TABLE campaign_editions (
  campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  language text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
  subject text NOT NULL,
  html text NOT NULL,
  text text NOT NULL,
  attachment_name text,
  attachment bytea,
  PRIMARY KEY (campaign_id, language)
);

-- A scheduled campaign's edition files per language ('' : the default's), each language's going
-- online under its own folder at the campaign's time.
ALTER TABLE campaign_files ADD COLUMN language text NOT NULL DEFAULT '';
ALTER TABLE campaign_files DROP CONSTRAINT campaign_files_pkey;
ALTER TABLE campaign_files ADD PRIMARY KEY (campaign_id, language, name);
