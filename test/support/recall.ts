// Word recall and order of a reference text in a rendered edition: the project's own version of
// ../shared/tools/text-recall.mjs, so that tests need nothing outside the repository.

export function words(text: string): string[] {
  const folded = text
    .normalize('NFKC')
    .replace(/\u00ad/g, '')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/(\p{L})-[ \t]*\r?\n[ \t]*(\p{Ll})/gu, '$1$2')
    .toLowerCase();
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Share of reference words present (as a multiset) and longest common subsequence / length. */
export function recall(
  reference: string,
  candidate: string,
): { recall: number; order: number; missing: string[] } {
  const ref = words(reference);
  const cand = words(candidate);
  const bag = new Map<string, number>();
  for (const w of cand) bag.set(w, (bag.get(w) ?? 0) + 1);
  const missing: string[] = [];
  for (const w of ref) {
    const n = bag.get(w) ?? 0;
    if (n > 0) bag.set(w, n - 1);
    else missing.push(w);
  }
  const ids = new Map<string, number>();
  const id = (w: string) => {
    if (!ids.has(w)) ids.set(w, ids.size);
    return ids.get(w) as number;
  };
  const a = Int32Array.from(ref, id);
  const b = Int32Array.from(cand, id);
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] =
        a[i - 1] === b[j - 1]
          ? (prev[j - 1] as number) + 1
          : Math.max(prev[j] as number, cur[j - 1] as number);
    }
    [prev, cur] = [cur, prev];
  }
  return {
    recall: ref.length ? (ref.length - missing.length) / ref.length : 1,
    order: ref.length ? (prev[b.length] as number) / ref.length : 0,
    missing,
  };
}

/**
 * The words an editor wrote in an issue file, without Markdown syntax or the field names and
 * machine values (ISO dates, image paths) that editions show differently.
 */
export function authoredText(markdown: string): string {
  const [, front = '', body = markdown] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(markdown) ?? [];
  const title = /^title:\s*"?(.*?)"?$/m.exec(front)?.[1] ?? '';
  const next = /^next_issue:\s*>?-?\s*\n((?:[ \t]+.*\n?)*)/m.exec(front)?.[1] ?? '';
  return [
    title,
    body
      .replace(/^(Type|Date|Link):.*$/gm, '')
      .replace(
        /^(By|Role|Organisation|Organization|Kicker|Standfirst|More|Place|Caption|Credit|Q|A):\s*/gm,
        '',
      )
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/<(?:mailto:)?((?:https?:)?[^>]+)>/g, '$1')
      .replace(/^\s*\d+\.\s/gm, '')
      .replace(/^:::.*$/gm, ''),
    next,
  ].join('\n');
}
