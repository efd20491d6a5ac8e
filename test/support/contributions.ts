// Mail to a publication's contributions address, as the list server stores it.

import type { NewContribution } from '../../src/inbound/contributions.ts';

/** Wanda Writer's article for issue 6 of The Global Eye, with its PDF (`%PDF-1.4 article`). */
export function anArticle(): NewContribution {
  return {
    publication: 'global-eye',
    receivedAt: new Date('2026-06-01T09:30:00Z'),
    envelopeFrom: 'writer@example.org',
    fromAddress: 'writer@example.org',
    fromName: 'Wanda Writer',
    subject: 'An article for issue 6',
    text: 'Dear editors,\n\nplease find my article attached.\n',
    raw: Buffer.from('Subject: An article for issue 6\r\n\r\nDear editors\r\n'),
    attachments: [
      { filename: 'article.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 article') },
    ],
  };
}
