import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../src/suggest.ts';

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit, and ignores case', () => {
    expect(editDistance('Standfrist', 'standfirst')).toBe(1);
    expect(editDistance('Organsation', 'Organisation')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest name when it is near enough to be a typo', () => {
    const fields = ['By', 'Role', 'Organisation', 'Kicker', 'Standfirst', 'More'];
    expect(didYouMean('Organsation', fields)).toBe(' Did you mean "Organisation"?');
    expect(didYouMean('Rol', fields)).toBe(' Did you mean "Role"?');
    expect(closest('Perspectves', ['Feature', 'Perspectives'])).toBe('Perspectives');
  });

  it('suggests the name meant by another word editors use for it', () => {
    const aliases = new Map([['author', 'By']]);
    expect(didYouMean('Autor', ['By', 'Role'], aliases)).toBe(' Did you mean "By"?');
    expect(didYouMean('Author', ['By', 'Role'], aliases)).toBe(' Did you mean "By"?');
  });

  it('suggests nothing for a word that is merely short or unrelated', () => {
    expect(closest('Q', ['By', 'Role', 'More'])).toBeUndefined();
    expect(closest('Note', ['By', 'Role', 'Kicker'])).toBeUndefined();
    expect(didYouMean('Editorial', ['Feature', 'Perspectives'])).toBe('');
  });

  it('stays cheap on a hostile, very long name', () => {
    expect(closest('x'.repeat(100_000), ['By'])).toBeUndefined();
  });
});
