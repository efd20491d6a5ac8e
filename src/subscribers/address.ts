// Email addresses as the store keeps them: trimmed, domain lower-cased (domains are
// case-insensitive; local parts may not be, RFC 5321 §2.4), no display name.

const ADDRESS =
  /^[^\s@<>()[\]\\,;:"\0]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** The normalised address, or undefined when `input` is not a plain, deliverable-looking address. */
export function normaliseAddress(input: string): string | undefined {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1 || trimmed.length > 254) return undefined;
  const address = `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  if (at > 64 || !ADDRESS.test(address)) return undefined;
  return address;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** A display name safe to store and to put in a header: no control characters, bounded length. */
export function cleanName(input: string | undefined | null): string | undefined {
  const name = input?.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return name || undefined;
}
