// Lettered and roman-numbered lists, which Markdown itself does not know: an editor writes them as
// they would print (`a) …`, `(ii) …`, `iv. …`), one per line or as bullet items, and they become
// ordered lists that every edition labels with the same markers.
import type { Inline, ListMarker } from './model.ts';
import { roman } from './model.ts';

const MARKER = /^(?:\(([a-z]{1,6}|\d{1,3})\)|([a-z]{1,6}|\d{1,3})([.)]))\s+/i;

/** Whether a line of source starts like a list item: `a) `, `(ii) `, `iv. `. */
export function startsWithMarker(line: string): boolean {
  return MARKER.test(line.trim());
}

interface Found {
  label: string;
  delimiter: ListMarker['delimiter'];
}

function markerOf(inlines: readonly Inline[]): Found | undefined {
  const first = inlines[0];
  if (first?.type !== 'text') return undefined;
  // The typographer has already turned "(c) " and "(r) " into © and ®.
  const m = MARKER.exec(first.text.replace(/^\u00a9/, '(c)').replace(/^\u00ae/, '(r)'));
  if (!m) return undefined;
  return m[1] !== undefined
    ? { label: m[1], delimiter: '()' }
    : { label: m[2] as string, delimiter: m[3] as '.' | ')' };
}

function alphaIndex(label: string): number | undefined {
  return /^[a-z]$/i.test(label) ? label.toLowerCase().charCodeAt(0) - 96 : undefined;
}

function romanValue(label: string): number | undefined {
  const lower = label.toLowerCase();
  if (!/^[ivxlcdm]+$/.test(lower)) return undefined;
  for (let n = 1; n <= 100; n++) if (roman(n) === lower) return n;
  return undefined;
}

/**
 * When every item starts with consecutive markers of one kind and one punctuation (a) b) c),
 * (i) (ii), 1) 2)), the list's marker, its first number and the items without their markers.
 */
export function markedList(
  items: readonly Inline[][],
): { marker: ListMarker; start: number; items: Inline[][] } | undefined {
  const found = items.map(markerOf);
  if (!found.length || found.some((f) => !f)) return undefined;
  const labels = found as Found[];
  const delimiter = labels[0]?.delimiter as ListMarker['delimiter'];
  if (labels.some((f) => f.delimiter !== delimiter)) return undefined;
  const upper = labels.every((f) => f.label === f.label.toUpperCase() && /[A-Z]/.test(f.label));
  const lower = labels.every((f) => f.label === f.label.toLowerCase());
  const consecutive = (value: (label: string) => number | undefined) => {
    const values = labels.map((f) => value(f.label));
    return values.every((v, i) => v !== undefined && v === (values[0] as number) + i)
      ? (values[0] as number)
      : undefined;
  };
  const first = labels[0]?.label.toLowerCase();
  let numbering: ListMarker['numbering'] | undefined;
  let start: number | undefined;
  const decimal = consecutive((l) => (/^\d+$/.test(l) ? Number(l) : undefined));
  const romanStart = upper || lower ? consecutive(romanValue) : undefined;
  const alphaStart = upper || lower ? consecutive(alphaIndex) : undefined;
  if (decimal !== undefined) {
    numbering = 'decimal';
    start = decimal;
  } else if (romanStart !== undefined && (alphaStart === undefined || first === 'i')) {
    numbering = upper ? 'upper-roman' : 'lower-roman';
    start = romanStart;
  } else if (alphaStart !== undefined) {
    numbering = upper ? 'upper-alpha' : 'lower-alpha';
    start = alphaStart;
  }
  if (!numbering || start === undefined) return undefined;
  return {
    marker: { numbering, delimiter },
    start,
    items: items.map((inlines) => {
      const [head, ...rest] = inlines;
      const text = (head as { text: string }).text.replace(/^[\u00a9\u00ae]/, '(x)').replace(MARKER, '');
      return text ? [{ type: 'text', text }, ...rest] : rest;
    }),
  };
}
