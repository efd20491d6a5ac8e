// A list of readers and a campaign to it, as the campaign and delivery specifications (and
// bench/send.ts) need them: confirmed readers inserted in one statement, a campaign's plan without
// rendering an issue.

import type { NewCampaign } from '../../src/campaigns/store.ts';
import type { Queryable } from '../../src/store/db.ts';

/** `count` confirmed readers of `publication`, reader1@example.org … reader<count>@example.org. */
export function seedReaders(db: Queryable, count: number, publication = 'global-eye') {
  return db.query(
    `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
     SELECT $1, 'reader' || i || '@example.org', 'confirmed', 'import', now(), now(), now(), 'cli'
     FROM generate_series(1, $2) AS i`,
    [publication, count],
  );
}

/** Issue `issueNumber` of The Global Eye as a campaign's plan sees it, in batches of `batchSize`. */
export function campaignOf(issueNumber: number, batchSize: number, publication = 'global-eye'): NewCampaign {
  return {
    publication,
    issueNumber,
    issueCode: String(issueNumber).padStart(3, '0'),
    subject: `Issue ${issueNumber}`,
    html: '<p>The news.</p>',
    text: 'The news.',
    listName: 'Global Eye',
    listAddress: 'globaleye@example.org',
    publicUrl: 'https://bulletin.example.org',
    batchSize,
  };
}
