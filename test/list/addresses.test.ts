import { describe, expect, it } from 'vitest';
import {
  type ListRole,
  listAddress,
  listDomain,
  listIdentifier,
  parseListAddress,
  roleAddresses,
} from '../../src/list/addresses.ts';
import type { List } from '../../src/list/list.ts';

const lists = [
  { slug: 'global-eye', address: 'globaleye@example.org' },
  { slug: 'global', address: 'global@example.org' },
] as List[];

describe('the list address grammar', () => {
  it.each<[string, string, ListRole]>([
    ['globaleye@example.org', 'global-eye', { kind: 'post' }],
    ['globaleye-subscribe@example.org', 'global-eye', { kind: 'subscribe' }],
    ['globaleye-join@example.org', 'global-eye', { kind: 'subscribe' }],
    ['globaleye-unsubscribe@example.org', 'global-eye', { kind: 'unsubscribe' }],
    ['globaleye-leave@example.org', 'global-eye', { kind: 'unsubscribe' }],
    ['globaleye-request@example.org', 'global-eye', { kind: 'request' }],
    [
      'globaleye+confirm-s1-abc-aaaaaaaaaaaaaaaa@example.org',
      'global-eye',
      { kind: 'confirm', token: 's1-abc-aaaaaaaaaaaaaaaa' },
    ],
    [
      'globaleye+bounce-b7-abc-aaaaaaaaaaaaaaaa@example.org',
      'global-eye',
      { kind: 'bounce', token: 'b7-abc-aaaaaaaaaaaaaaaa' },
    ],
    ['GlobalEye-Request@EXAMPLE.org', 'global-eye', { kind: 'request' }],
    ['global-subscribe@example.org', 'global', { kind: 'subscribe' }],
  ])('%s → %s %o', (address, slug, role) => {
    const parsed = parseListAddress(address, lists);
    expect(parsed?.list.slug).toBe(slug);
    expect(parsed?.role).toEqual(role);
    // …and the role's canonical address parses back to the same role.
    expect(parseListAddress(listAddress(parsed?.list.address as string, role), lists)?.role).toEqual(role);
  });

  it('writes the canonical addresses', () => {
    expect(listAddress('globaleye@example.org', { kind: 'subscribe' })).toBe(
      'globaleye-subscribe@example.org',
    );
    expect(listAddress('globaleye@example.org', { kind: 'bounce', token: 'b1-x-y' })).toBe(
      'globaleye+bounce-b1-x-y@example.org',
    );
  });

  it.each([
    'someone@example.org',
    'globaleye@example.net',
    'globaleye-owner@example.org',
    'globaleye+other-x@example.org',
    'globaleye+confirm-@example.org',
    'globaleye+confirm-BAD_TOKEN!@example.org',
    'xglobaleye@example.org',
    'globaleyeconstructor@example.org',
    'globaleye__proto__@example.org',
    'globaleye-constructor@example.org',
    'globaleye-hasOwnProperty@example.org',
  ])('%s is not ours', (address) => {
    expect(parseListAddress(address, lists)).toBeUndefined();
  });

  it('names every address of a role, the one it writes first', () => {
    expect(roleAddresses('globaleye@example.org', 'subscribe')).toEqual([
      'globaleye-subscribe@example.org',
      'globaleye-join@example.org',
    ]);
    expect(roleAddresses('globaleye@example.org', 'unsubscribe')).toEqual([
      'globaleye-unsubscribe@example.org',
      'globaleye-leave@example.org',
    ]);
    expect(roleAddresses('globaleye@example.org', 'post')).toEqual(['globaleye@example.org']);
  });

  it('gives the domain and the RFC 2919 identifier of a list', () => {
    expect(listDomain('globaleye@lists.example.org')).toBe('lists.example.org');
    expect(listIdentifier('globaleye@lists.example.org')).toBe('globaleye.lists.example.org');
  });
});
