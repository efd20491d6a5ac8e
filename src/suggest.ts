// "Did you mean …?": the one place that guesses which known name a mistyped one was meant to be.

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`, case-blind. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Names are short; a pathological input is cut rather than made quadratic.
  if (s.length > 64 || t.length > 64) return Math.max(s.length, t.length);
  const rows = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (rows[s.length] as number[])[t.length] as number;
}

/**
 * The known name closest to `name`, if it is close enough to be a typo: one edit in a short name,
 * two in a longer one, three in a long one. Ties go to the first candidate.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const allowed = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * ` Did you mean "X"?`, or nothing: appended to a message about an unknown name. `aliases` maps
 * other words editors use (lower case: author) to the name they mean (By).
 */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  aliases: ReadonlyMap<string, string> = new Map(),
): string {
  const near = closest(name, [...candidates, ...aliases.keys()]);
  const guess = near === undefined ? undefined : (aliases.get(near) ?? near);
  return guess && guess.toLowerCase() !== name.toLowerCase() ? ` Did you mean "${guess}"?` : '';
}
