// src/list: the mailing list itself, the floor that subscribers, inbound, web and delivery stand on.
// It owns who a list is (this file), the grammar of its addresses (addresses.ts: the one place
// that builds or parses a list address), every header its mail carries (headers.ts), its commands
// (commands.ts) and its automatic replies with their templates and caps (replies.ts,
// templates.ts). It imports nothing above the store: publications become lists in
// src/subscribers/lists.ts, and replies leave through the narrow `ListMailer` port (mail.ts), so the
// sending itself stays with the outbound mail.

/**
 * `set language default` (and `set pdf default`, the preference page's "default"): back to the
 * publication's default. Here, with no imports, so the store can name it without the commands'
 * catalogues.
 */
export const DEFAULT_CHOICE = 'default';

/** Who a list is in its mail: enough to name it in headers and to address its commands. */
export interface ListIdentity {
  /** Display name: "The Global Eye on Human Trafficking". */
  name: string;
  /** Lower-case, e.g. globaleye@example.org. */
  address: string;
}

/** A list this installation runs: one per publication. */
export interface List extends ListIdentity {
  /** The publication's folder name; subscribers are stored under it. */
  slug: string;
  /** The publication's language and colours, for the list's mail and pages. */
  language: string;
  /**
   * Every language its editions are published in, default first (publication.yml's `languages:`,
   * which the translations add); absent: the publication's `language` alone. See `listLanguages`.
   */
  languages?: readonly string[];
  colors: { primary: string; accent: string };
  /** Code of the newest issue file (005 for 005.md), linked from the welcome email. */
  latestIssue?: string;
}

/** A language tag's lower-case primary subtag, as readers' choices store it: fr-CH → fr. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

/** The languages a reader of `list` may choose, as primary tags, the default first, no repeats. */
export function listLanguages(list: Pick<List, 'language' | 'languages'>): string[] {
  return [...new Set([list.language, ...(list.languages ?? [])].map(primaryLanguage))];
}

/** `tag` as one of the list's languages, or undefined when the list is not published in it. */
export function listLanguage(list: Pick<List, 'language' | 'languages'>, tag: string | undefined) {
  const wanted = tag && primaryLanguage(tag.trim());
  return wanted ? listLanguages(list).find((l) => l === wanted) : undefined;
}

/** The tag the list speaks to a reader in: its own (en-GB) for its default language or none, else the reader's. */
export function readerLanguage(list: Pick<List, 'language'>, language: string | null | undefined): string {
  return language && language !== primaryLanguage(list.language) ? language : list.language;
}
