// Command words in mail to a list (Mailman-style): the subject, or else the first non-empty line
// of the body, is exactly one word, with any "Re:" prefixes ignored.

export type Command = 'subscribe' | 'unsubscribe' | 'help';

const WORDS = new Map<string, Command>([
  ['subscribe', 'subscribe'],
  ['join', 'subscribe'],
  ['unsubscribe', 'unsubscribe'],
  ['leave', 'unsubscribe'],
  ['remove', 'unsubscribe'],
  ['help', 'help'],
]);

function word(line: string | undefined): Command | undefined {
  const cleaned = (line ?? '')
    .replace(/^\s*((re|aw|fwd?)\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();
  return WORDS.get(cleaned);
}

/** The command in a message, or undefined (for the post address: a contribution). */
export function findCommand(subject: string | undefined, text: string | undefined): Command | undefined {
  const firstLine = (text ?? '').split(/\r?\n/).find((line) => line.trim() !== '');
  return word(subject) ?? word(firstLine);
}
