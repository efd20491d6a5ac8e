-- Search in every language (issue 15): a translation's articles are indexed beside the original's,
-- each in its own language's text search configuration. `edition` is the translation's language
-- code, '' for the publication's default language (the rows from before 271).
ALTER TABLE site_articles ADD COLUMN edition text NOT NULL DEFAULT '';
ALTER TABLE site_articles DROP CONSTRAINT site_articles_pkey;
ALTER TABLE site_articles ADD PRIMARY KEY (publication, edition, issue_code, slug);
ALTER TABLE site_issues ADD COLUMN edition text NOT NULL DEFAULT '';
ALTER TABLE site_issues DROP CONSTRAINT site_issues_pkey;
ALTER TABLE site_issues ADD PRIMARY KEY (publication, edition, issue_code);
