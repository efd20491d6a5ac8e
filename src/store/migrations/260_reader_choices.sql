-- What each reader chooses (issue 15, "Readers choose"): the language of the editions they get
-- (NULL: the publication's default language), the format (the full HTML email, plain text only, or
-- a short notice linking the web and PDF editions) and the PDF (NULL: as the publication says, i.e.
-- attached when its pdf.attach is set, else linked).
ALTER TABLE subscribers
  ADD COLUMN language text CHECK (language ~ '^[a-z]{2,3}$'),
  ADD COLUMN format text NOT NULL DEFAULT 'html' CHECK (format IN ('html', 'text', 'notice')),
  ADD COLUMN pdf text CHECK (pdf IN ('link', 'attach'));

-- A change waiting for its owner may now be of any choice, or of the address (confirmed at the
-- new address). NULL columns are not part of the change.
ALTER TABLE subscriber_changes
  ADD COLUMN language text,
  ADD COLUMN format text,
  ADD COLUMN pdf text,
  ADD COLUMN email text;

-- Every campaign now keeps its PDF edition, for the readers who asked for it attached; this says
-- whether readers who chose nothing get it attached (the publication's pdf.attach). Campaigns from
-- before kept the PDF only when the publication attached it for everyone.
ALTER TABLE campaigns ADD COLUMN attach_by_default boolean NOT NULL DEFAULT true;
