import { describe, expect, it } from 'vitest';
import { findCommand } from '../../src/inbound/commands.ts';

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
    expect(findCommand(subject, body)).toBe(command);
  });

  it.each([
    ['Please subscribe me to your bulletin', ''],
    ['Article', 'I would like to help with the next issue.'],
    ['', 'subscribe me please'],
  ])('subject %j, body %j is a contribution', (subject, body) => {
    expect(findCommand(subject, body)).toBeUndefined();
  });
});
