import { describe, expect, it } from 'vitest';
import { parseListAddress } from '../../src/list/addresses.ts';
import { commandTable, findCommand } from '../../src/list/commands.ts';

describe('findCommand', () => {
  it.each([
    ['subscribe', '', 'subscribe'],
    ['  SUBSCRIBE ', '', 'subscribe'],
    ['Re: Fwd: join', '', 'subscribe'],
    ['unsubscribe', '', 'unsubscribe'],
    ['leave', '', 'unsubscribe'],
    ['remove', '', 'unsubscribe'],
    ['help', '', 'help'],
    ['', '\n\n  help\nmore text', 'help'],
    [undefined, 'unsubscribe\n-- \nsignature', 'unsubscribe'],
  ])('subject %j, body %j → %s', (subject, body, command) => {
    expect(findCommand(subject, body)?.command).toBe(command);
  });

  it.each([
    ['set language fr', { choice: 'language', value: 'fr' }],
    ['Re: SET  Format   text', { choice: 'format', value: 'text' }],
    ['set pdf attach', { choice: 'pdf', value: 'attach' }],
  ])('%j is a setting', (subject, setting) => {
    expect(findCommand(subject, '')).toEqual({ command: 'set', setting });
  });

  it('knows the words of French and Spanish readers, and their language', () => {
    expect(findCommand("S'abonner", '')).toEqual({ command: 'subscribe', language: 'fr' });
    expect(findCommand('', 'suscribirse\n')).toEqual({ command: 'subscribe', language: 'es' });
    expect(findCommand('Aide', '')).toEqual({ command: 'help', language: 'fr' });
    expect(findCommand('ayuda', '')).toEqual({ command: 'help', language: 'es' });
  });

  it.each([
    ['set language default', { choice: 'language', value: 'default' }],
    ['set pdf default', { choice: 'pdf', value: 'default' }],
  ])('%j goes back to the publication’s default', (subject, setting) => {
    expect(findCommand(subject, '')).toEqual({ command: 'set', setting });
  });

  it.each(['set colour blue', 'set language', 'set format text please'])('%j is no command', (subject) => {
    expect(findCommand(subject, '')).toBeUndefined();
  });

  it.each([
    ['Please subscribe me to your bulletin', ''],
    ['Article', 'I would like to help with the next issue.'],
    ['', 'subscribe me please'],
  ])('subject %j, body %j is a contribution', (subject, body) => {
    expect(findCommand(subject, body)).toBeUndefined();
  });
});

describe('commandTable', () => {
  it('lists every address of the list with what it does, as the help mail shows it', () => {
    expect(commandTable({ name: 'The Global Eye', address: 'globaleye@example.org' })).toEqual([
      {
        address: 'globaleye@example.org',
        what: 'Contributions for the editors. A subject of just "subscribe", "unsubscribe" or "help" is a command instead.',
      },
      {
        address: 'globaleye-subscribe@example.org',
        what: 'Subscribe; you will be asked to confirm. Also globaleye-join@example.org.',
      },
      {
        address: 'globaleye-unsubscribe@example.org',
        what: 'Unsubscribe; you will be asked to confirm. Also globaleye-leave@example.org.',
      },
      {
        address: 'globaleye-request@example.org',
        what: 'Commands in the subject or first line: subscribe, unsubscribe, help; and your choices, each confirmed from your address: set language <code>|default (default: the publication’s language), set format html|text|notice (the full email, plain text only, or a short notice with links), set pdf attach|link|default.',
      },
    ]);
  });

  it.each([
    ['fr', 'Contributions pour la rédaction.', 'S’abonner\u00a0; il vous sera demandé de confirmer.'],
    ['es', 'Contribuciones para la redacción.', 'Suscribirse; se le pedirá que lo confirme.'],
  ])('in %s, says what every address does in that language', (language, post, subscribe) => {
    const table = commandTable(
      {
        name: 'The Global Eye',
        address: 'globaleye@example.org',
        language: 'en-GB',
        languages: ['fr', 'es'],
      },
      language,
    );
    expect(table[0]?.what).toContain(post);
    expect(table[1]?.what).toBe(
      `${subscribe} ${language === 'fr' ? 'Également\u00a0:' : 'También:'} globaleye-join@example.org.`,
    );
    expect(table[3]?.what).toContain('set language en|fr|es|default');
    expect(table.map((row) => row.what).join('\n')).not.toMatch(
      /Contributions for the editors|you will be asked|Commands in the subject|Also /,
    );
  });

  it('is understood by the address grammar: every address it names is the list role it describes', () => {
    const lists = [{ address: 'globaleye@example.org' }];
    const table = commandTable({ name: 'The Global Eye', address: 'globaleye@example.org' });
    const named = table.flatMap((row) => [row.address, ...(row.what.match(/[\w.+-]+@example\.org/g) ?? [])]);
    expect(named.map((address) => parseListAddress(address, lists)?.role.kind)).toEqual([
      'post',
      'subscribe',
      'subscribe',
      'unsubscribe',
      'unsubscribe',
      'request',
    ]);
  });
});

describe('command words', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('%s is no command', (subject) => {
    expect(findCommand(subject, subject)).toBeUndefined();
  });
});
