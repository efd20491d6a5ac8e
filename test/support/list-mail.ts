// List mail as the list's actions queue it, for the specifications of what sends it.

import type { OutgoingMail } from '../../src/list/mail.ts';

/** A subscription's confirmation request to ann@example.org: reply to its address to confirm. */
export const CONFIRMATION_REQUEST: OutgoingMail = {
  from: { name: 'The Global Eye', address: 'globaleye@example.org' },
  to: 'ann@example.org',
  replyTo: 'globaleye+confirm-s1-abc-aaaaaaaaaaaaaaaa@example.org',
  subject: 'Confirm your subscription',
  text: 'Reply to confirm.\n',
  html: '<p>Reply to confirm.</p>',
  headers: { 'Auto-Submitted': 'auto-replied' },
  returnPath: null,
};
