// The replacement table: every value that differs per issue or per recipient, in one place (as
// Ghost's email renderer returns `{html, plaintext, replacements}`). Rendering runs once per issue
// and leaves `%%id%%` tokens in the editions; delivery fills them per recipient by splicing, so MJML
// never runs per recipient; the preview fills them with sample values. One row says where a value
// goes (the editions' body, or one header), how it is computed, and how it is escaped: in the HTML
// part HTML-escaped, in the text part as is, in a header as is (delivery adds the transfer encoding).
// Adding a value means adding a row here and using its token in a template.
//
// `%` survives quoted-printable and HTML escaping unchanged; a QP soft line break can still fall
// inside a token, which src/delivery/message-template.ts allows for.

import { campaignMessageId, listUnsubscribeValue, verpReturnPath } from '../list/headers.ts';
import type { ListIdentity } from '../list/list.ts';
import { preferencesUrl, type Tokens, unsubscribeUrl } from '../tokens.ts';
import { escapeHtml } from './html.ts';

/** The edition a campaign sends: enough for the issue-level values. */
export interface EditionRef {
  /** https://news.example.org, without a trailing "/". */
  publicUrl: string;
  publication: string;
  issueCode: string;
  /** A translation's language (fr); absent for the publication's default language. */
  language?: string;
}

/** Everything one recipient's values are computed from. */
export interface RecipientRef extends EditionRef {
  campaignId: number;
  list: ListIdentity;
  tokens: Tokens;
  subscriber: { id: number; email: string };
}

/** The rows; `value` gets the row's context and the values of the rows above it. */
const TABLE = {
  /** The web edition of this issue, ending in "/": https://…/global-eye/005/ */
  web_url: {
    scope: 'issue',
    in: 'body',
    value: (e: EditionRef) => editionUrls(e.publicUrl, e.publication, e.issueCode, e.language).web_url,
    sample: (origin: string) => `${origin}/web/`,
  },
  /** The PDF edition of this issue. */
  pdf_url: {
    scope: 'issue',
    in: 'body',
    value: (e: EditionRef) => editionUrls(e.publicUrl, e.publication, e.issueCode, e.language).pdf_url,
    sample: (origin: string) => `${origin}/edition.pdf`,
  },
  /** The recipient's address, as the body names it. */
  recipient_email: {
    scope: 'recipient',
    in: 'body',
    value: (r: RecipientRef) => r.subscriber.email,
    sample: () => SAMPLE_RECIPIENT,
  },
  /** The recipient's personal one-click unsubscribe page (signed token). */
  unsubscribe_url: {
    scope: 'recipient',
    in: 'body',
    value: (r: RecipientRef) => unsubscribeUrl(r.publicUrl, r.tokens, tokenSubject(r)),
    sample: (origin: string) => `${origin}/unsubscribe`,
  },
  /** The recipient's preference page: language, format, PDF, address, leave, their data (signed token). */
  preferences_url: {
    scope: 'recipient',
    in: 'body',
    value: (r: RecipientRef) => preferencesUrl(r.publicUrl, r.tokens, tokenSubject(r)),
    sample: (origin: string) => `${origin}/preferences`,
  },
  to: { scope: 'recipient', in: 'header', header: 'To', value: (r: RecipientRef) => r.subscriber.email },
  /** The same for every retry to one recipient, so receivers can drop a duplicate. */
  message_id: {
    scope: 'recipient',
    in: 'header',
    header: 'Message-ID',
    bracketed: true,
    value: (r: RecipientRef) => campaignMessageId(r.campaignId, r.subscriber.id, r.list.address),
  },
  /** The VERP envelope sender, also written as the Return-Path header: bounces name the recipient. */
  return_path: {
    scope: 'recipient',
    in: 'header',
    header: 'Return-Path',
    bracketed: true,
    value: (r: RecipientRef) => verpReturnPath(r.list, r.tokens.sign('bounce', tokenSubject(r))),
  },
  /** `<mailto:…>, <https://…>`: the same unsubscribe link as the body's. */
  list_unsubscribe: {
    scope: 'recipient',
    in: 'header',
    header: 'List-Unsubscribe',
    value: (r: RecipientRef, above: { unsubscribe_url: string }) =>
      listUnsubscribeValue(r.list, above.unsubscribe_url),
  },
} as const;

export type ReplacementId = keyof typeof TABLE;
type Row = (typeof TABLE)[ReplacementId];
type IdsWhere<Where> = {
  [Id in ReplacementId]: (typeof TABLE)[Id] extends Where ? Id : never;
}[ReplacementId];

/** Tokens in the editions' body. */
export type PlaceholderName = IdsWhere<{ in: 'body' }>;
/** The same for every copy of an issue: filled once per campaign. */
export type IssueReplacementId = IdsWhere<{ scope: 'issue' }>;
/** Filled per recipient, by splicing. */
export type RecipientReplacementId = IdsWhere<{ scope: 'recipient' }>;
/** Headers that differ per recipient (those the same for every copy are the list's, in `listHeaders`). */
export type RecipientHeaderId = IdsWhere<{ in: 'header'; scope: 'recipient' }>;

export type PlaceholderValues = Record<PlaceholderName, string>;
export type IssueValues = Record<IssueReplacementId, string>;
export type RecipientValues = Record<RecipientReplacementId, string>;

const ids = Object.keys(TABLE) as ReplacementId[];
const where = <Id extends ReplacementId>(test: (row: Row) => boolean) =>
  ids.filter((id) => test(TABLE[id])) as Id[];

export const PLACEHOLDER_NAMES = where<PlaceholderName>((row) => row.in === 'body');
export const ISSUE_REPLACEMENTS = where<IssueReplacementId>((row) => row.scope === 'issue');
export const RECIPIENT_REPLACEMENTS = where<RecipientReplacementId>((row) => row.scope === 'recipient');

/** The body placeholders' tokens, as templates write them: `%%unsubscribe_url%%`. */
export const PLACEHOLDERS = Object.fromEntries(PLACEHOLDER_NAMES.map((id) => [id, `%%${id}%%`])) as {
  readonly [Id in PlaceholderName]: `%%${Id}%%`;
};

/** A per-recipient header and how delivery writes it. */
export interface RecipientHeader {
  id: RecipientHeaderId;
  name: (typeof TABLE)[RecipientHeaderId]['header'];
  /** Written as `<value>`. */
  bracketed: boolean;
}

export const RECIPIENT_HEADERS: readonly RecipientHeader[] = ids.flatMap((id) => {
  const row: Row = TABLE[id];
  return 'header' in row && row.scope === 'recipient'
    ? [{ id: id as RecipientHeaderId, name: row.header, bracketed: 'bracketed' in row && row.bracketed }]
    : [];
});

/** How a value is escaped where it goes (delivery adds the part's transfer encoding on top). */
export const ESCAPE: Record<'html' | 'text' | 'header', (value: string) => string> = {
  html: escapeHtml,
  text: (value) => value,
  header: (value) => value,
};

/** The issue-level values of one edition. */
export function issueValues(edition: EditionRef): IssueValues {
  const values = {} as IssueValues;
  for (const id of ISSUE_REPLACEMENTS) values[id] = TABLE[id].value(edition);
  return values;
}

/** One recipient's values, in table order (a row may use the rows above it). */
export function recipientValues(recipient: RecipientRef): RecipientValues {
  const values = {} as RecipientValues;
  for (const id of RECIPIENT_REPLACEMENTS) {
    const row = TABLE[id];
    values[id] = row.value(recipient, values);
  }
  return values;
}

/** Every body placeholder with its sample value, for the preview (`origin`: where the preview is served). */
export function sampleValues(origin: string): PlaceholderValues {
  const values = {} as PlaceholderValues;
  for (const id of PLACEHOLDER_NAMES) values[id] = TABLE[id].sample(origin);
  return values;
}

const PATTERN = new RegExp(`%%(${PLACEHOLDER_NAMES.join('|')})%%`, 'g');

/** Replaces every body placeholder, escaped for `part`. */
export function fillPlaceholders(template: string, values: PlaceholderValues, part: 'html' | 'text'): string {
  const escapeValue = ESCAPE[part];
  return template.replace(PATTERN, (_, id: PlaceholderName) => escapeValue(values[id]));
}

/** The reader the preview's samples are addressed to. */
export const SAMPLE_RECIPIENT = 'reader@example.org';

/**
 * The issue-level values, from the public base URL: the default language's editions at
 * /<publication>/<NNN>/, a translation's at /<publication>/<language>/<NNN>/.
 */
export function editionUrls(
  publicUrl: string,
  publicationSlug: string,
  issueCode: string,
  language?: string,
): Pick<PlaceholderValues, 'web_url' | 'pdf_url'> {
  const web = `${publicUrl.replace(/\/+$/, '')}/${editionPath(publicationSlug, issueCode, language)}/`;
  return { web_url: web, pdf_url: `${web}${pdfFileName(publicationSlug, issueCode)}` };
}

/**
 * Where an edition lives, on the web and on disk: `global-eye/005` for the default language,
 * `global-eye/fr/005` for a translation. Each language is a folder of its own beside the default's
 * issues, holding its issues, archive and feeds, so the default's addresses never change.
 */
export function editionPath(publicationSlug: string, issueCode: string, language?: string): string {
  return language ? `${publicationSlug}/${language}/${issueCode}` : `${publicationSlug}/${issueCode}`;
}

/** A translation's language, or undefined for an issue in the publication's default language. */
export function translationLanguage(issue: {
  language: string;
  publication: { languages: readonly string[] };
}): string | undefined {
  return issue.language === issue.publication.languages[0] ? undefined : issue.language;
}

/** The PDF edition's file name, beside the web edition: global-eye-005.pdf. */
export function pdfFileName(publicationSlug: string, issueCode: string): string {
  return `${publicationSlug}-${issueCode}.pdf`;
}

function tokenSubject(r: RecipientRef) {
  return { id: r.subscriber.id, publication: r.publication, email: r.subscriber.email };
}
