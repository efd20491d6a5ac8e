import { describe, expect, it } from 'vitest';
import { cleanName, normaliseAddress } from '../../src/subscribers/address.ts';

describe('normaliseAddress', () => {
  it.each([
    ['Ann@Example.ORG', 'Ann@example.org'],
    ['  bob.smith+news@sub.example.co.uk ', 'bob.smith+news@sub.example.co.uk'],
    ["o'neil@example.ie", "o'neil@example.ie"],
  ])('keeps %s as %s (domain lower-cased, local part as given)', (input, expected) => {
    expect(normaliseAddress(input)).toBe(expected);
  });

  it.each([
    ['no at sign', 'example.org'],
    ['no domain dot', 'a@localhost'],
    ['a display name', 'Ann <ann@example.org>'],
    ['a space', 'a b@example.org'],
    ['a NUL byte', 'a\0@example.org'],
    ['a header break', 'a@example.org\r\nBcc: x@example.org'],
    ['an over-long local part', `${'a'.repeat(65)}@example.org`],
  ])('rejects %s', (_, input) => {
    expect(normaliseAddress(input)).toBeUndefined();
  });
});

describe('cleanName', () => {
  it('removes line breaks and control characters that could inject headers', () => {
    expect(cleanName('Eve\r\nBcc: victim@example.org\0')).toBe('Eve Bcc: victim@example.org');
  });

  it('turns blank names into undefined', () => {
    expect(cleanName('  \t ')).toBeUndefined();
    expect(cleanName(undefined)).toBeUndefined();
  });
});
