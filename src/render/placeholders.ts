// The placeholder contract between rendering (once per issue) and delivery (once per recipient).
// Rendered editions contain `%%name%%` markers; delivery replaces them by plain substitution, so
// MJML never runs per recipient. `%` survives quoted-printable and HTML escaping unchanged; a QP
// soft line break can still fall inside a marker, which src/delivery/message-template.ts allows for.

export const PLACEHOLDERS = {
  /** The recipient's address. */
  recipient_email: '%%recipient_email%%',
  /** The recipient's personal one-click unsubscribe page (signed token). */
  unsubscribe_url: '%%unsubscribe_url%%',
  /** The web edition of this issue, ending in "/": https://…/global-eye/005/ */
  web_url: '%%web_url%%',
  /** The PDF edition of this issue. */
  pdf_url: '%%pdf_url%%',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS;
export type PlaceholderValues = Record<PlaceholderName, string>;

const PATTERN = /%%(recipient_email|unsubscribe_url|web_url|pdf_url)%%/g;

/** Replaces every placeholder; `encode` is applied to values (HTML-escape them for HTML parts). */
export function fillPlaceholders(
  template: string,
  values: PlaceholderValues,
  encode: (s: string) => string = (s) => s,
): string {
  return template.replace(PATTERN, (_, name: PlaceholderName) => encode(values[name]));
}

/** The issue-level values (all but the recipient's own), from the public base URL. */
export function editionUrls(
  publicUrl: string,
  publicationSlug: string,
  issueCode: string,
): Pick<PlaceholderValues, 'web_url' | 'pdf_url'> {
  const web = `${publicUrl.replace(/\/+$/, '')}/${publicationSlug}/${issueCode}/`;
  return { web_url: web, pdf_url: `${web}${pdfFileName(publicationSlug, issueCode)}` };
}

/** The PDF edition's file name, beside the web edition: global-eye-005.pdf. */
export function pdfFileName(publicationSlug: string, issueCode: string): string {
  return `${publicationSlug}-${issueCode}.pdf`;
}
