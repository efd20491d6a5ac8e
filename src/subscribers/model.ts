export const STATUSES = ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'] as const;
export type Status = (typeof STATUSES)[number];

export const SOURCES = ['email', 'web', 'import', 'admin'] as const;
export type Source = (typeof SOURCES)[number];

/** How a reader receives an issue: the full HTML email, plain text only, or a short notice linking the web and PDF editions. */
export const FORMATS = ['html', 'text', 'notice'] as const;
export type Format = (typeof FORMATS)[number];

/** The PDF edition attached to the mail, or linked from it. */
export const PDF_CHOICES = ['link', 'attach'] as const;
export type PdfChoice = (typeof PDF_CHOICES)[number];

/** What a reader chose; null: the publication's default (its language; its pdf.attach). */
export interface Choices {
  language: string | null;
  format: Format;
  pdf: PdfChoice | null;
}

/**
 * How consent was given: a reply to the confirmation email, its web page, an import's file, or an
 * operator (command line) or editor (admin) recording consent given elsewhere.
 */
export type ConsentMethod = 'email-reply' | 'web' | 'import' | 'cli' | 'admin';

export interface Subscriber {
  id: number;
  publication: string;
  email: string;
  name: string | null;
  status: Status;
  source: Source;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt: Date | null;
  consentMethod: ConsentMethod | null;
  consentEvidence: string | null;
  unsubscribedAt: Date | null;
  bounceScore: number;
  /** Bumped by every change of status; subscribe tokens are bound to it (src/tokens.ts). */
  generation: number;
  /** Lower-case primary language tag (`fr`); null: the publication's default language. */
  language: string | null;
  format: Format;
  pdf: PdfChoice | null;
}

/** Statuses only the subscriber can leave (by subscribing again and confirming), never an import. */
export const OPTED_OUT: readonly Status[] = ['unsubscribed', 'bounced', 'complained'];
