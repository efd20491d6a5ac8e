import { describe, expect, it } from 'vitest';
import { AUTOMATIC_MAIL_LIMITS } from '../../src/list/replies.ts';
import { loadListTemplates } from '../../src/list/templates.ts';

const values = {
  list: {
    name: 'The Global Eye',
    address: 'globaleye@example.org',
    language: 'en',
    colors: { primary: '#123456', accent: '#abcdef' },
  },
  requestAddress: 'globaleye-request@example.org',
  subscribeAddress: 'globaleye-subscribe@example.org',
  address: 'ann@example.org',
  name: 'Ann <b>',
  confirmUrl: 'https://news.example.org/confirm/s1-x-y',
  unsubscribeUrl: 'https://news.example.org/unsubscribe/u1-x-y',
  commands: [{ address: 'globaleye-request@example.org', what: 'Commands.' }],
};

describe('the templates of the automatic replies', () => {
  const templates = loadListTemplates();

  it.each([...AUTOMATIC_MAIL_LIMITS.perKindPerDay.keys()])(
    '%s renders a subject, a text and an HTML part',
    async (kind) => {
      const mail = await templates.render(kind, values);
      expect(mail.subject).toMatch(/\S/);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text).toMatch(/\S\n$/);
      expect(mail.text).not.toMatch(/^Subject:/);
      expect(mail.html).toContain('<html');
      expect(mail.html).toContain('The Global Eye');
    },
  );

  it('escapes values in the HTML part, not in the text part', async () => {
    const mail = await templates.render('confirm-change', values);
    expect(mail.html).toContain('Ann &lt;b&gt;');
    expect(mail.text).toContain('Ann <b>');
  });
});
