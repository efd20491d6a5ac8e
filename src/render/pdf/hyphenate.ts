// Hyphenation for justified columns: Liang patterns from the `hyphen` package for the publication's
// language. Words get soft hyphens (U+00AD); the line breaker may break there and then draws a "-".
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const SOFT_HYPHEN = '\u00ad';

export type Hyphenate = (word: string) => string;

interface PatternModule {
  hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string;
}

/** One hyphenator per language for the process: its cache of words outlives a build. */
const hyphenators = new Map<string, Hyphenate>();

export function hyphenatorFor(language: string): Hyphenate {
  const tag = language.toLowerCase();
  let hyphenator = hyphenators.get(tag);
  if (!hyphenator) {
    hyphenator = createHyphenator(tag);
    hyphenators.set(tag, hyphenator);
  }
  return hyphenator;
}

/** "fr-CH" → hyphen/fr-ch, then hyphen/fr; a language without patterns is not hyphenated. */
function createHyphenator(tag: string): Hyphenate {
  const candidates = [tag, tag.split('-')[0] as string];
  let patterns: PatternModule | undefined;
  for (const name of candidates) {
    try {
      patterns = require(`hyphen/${name}`) as PatternModule;
      break;
    } catch {
      // no patterns under this name: try the next, broader one
    }
  }
  if (!patterns) return (word) => word;
  const module = patterns;
  const cache = new Map<string, string>();
  return (word) => {
    // Only plain words of six letters or more: names with digits, URLs and addresses stay whole.
    if (word.length < 6 || !/^\p{L}+$/u.test(word)) return word;
    let hyphenated = cache.get(word);
    if (hyphenated === undefined) {
      hyphenated = module.hyphenateSync(word, { hyphenChar: SOFT_HYPHEN, minWordLength: 6 });
      if (cache.size > 100_000) cache.clear(); // a long-running server builds many issues
      cache.set(word, hyphenated);
    }
    return hyphenated;
  };
}
