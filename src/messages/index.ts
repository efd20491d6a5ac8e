// src/messages: everything the editions, the list's mail and the pages say themselves, one catalogue
// per language (ICU MessageFormat through intl-messageformat: placeholders and plurals), and the
// Handlebars helper `{{t "key" name=value}}` the templates use. English defines the keys; a
// language without a catalogue falls back to English, with one warning per process.

import Handlebars from 'handlebars';
import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalogue } from './catalogue.ts';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';

export type { Catalogue } from './catalogue.ts';
export type { MessageKey } from './en.ts';

const CATALOGUES: ReadonlyMap<string, Catalogue> = new Map([
  ['en', en],
  ['fr', fr],
  ['es', es],
]);

/** The languages with a catalogue of their own. */
export const CATALOGUE_LANGUAGES: readonly string[] = [...CATALOGUES.keys()];

export function catalogueOf(language: string): Catalogue | undefined {
  return CATALOGUES.get(primaryLanguage(language));
}

/** "fr-CH" → "fr": catalogues are per primary language; dates and numbers keep the whole tag. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

/** Markup already escaped, passed as a value to `html()`: a link, an emphasised name. */
export class Html {
  constructor(readonly html: string) {}
}

export type Value = string | number | Html;
export type Values = Readonly<Record<string, Value>>;

export interface Messages {
  /** The tag asked for ("en-GB", "fr"): what dates and numbers are formatted in. */
  readonly language: string;
  /** The catalogue used: the primary language, or "en" when it has none. */
  readonly catalogue: string;
  /** Right to left (Arabic, Hebrew, Persian, Urdu…): what `dir` the editions carry. */
  readonly direction: 'ltr' | 'rtl';
  /** The message as plain text. */
  t(key: MessageKey, values?: Values): string;
  /** The message as text pieces and the values in their places, in the translation's order (the PDF's links). */
  parts(key: MessageKey, values?: Values): Array<string | { name: string; value: Value }>;
  /** The message as HTML: its text escaped with `escapeText`, `Html` values kept as they are. */
  html(key: MessageKey, values?: Values, escapeText?: (text: string) => string): string;
}

const RTL = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);
const cache = new Map<string, Messages>();
const warned = new Set<string>();

/** The messages of a language, falling back to English (and saying so once) when it has no catalogue. */
export function messagesFor(language: string): Messages {
  let messages = cache.get(language);
  if (!messages) {
    const primary = primaryLanguage(language);
    let catalogue = CATALOGUES.get(primary);
    if (!catalogue) {
      catalogue = en;
      if (!warned.has(primary)) {
        warned.add(primary);
        process.emitWarning(
          `No message catalogue for "${language}": the editions and mail use English. Add src/messages/${primary}.ts (docs/languages.md).`,
          { code: 'BULLETIN_NO_CATALOGUE' },
        );
      }
    }
    messages = createMessages(language, catalogue === en && primary !== 'en' ? 'en' : primary, catalogue);
    cache.set(language, messages);
  }
  return messages;
}

// Private-use characters stand in for string values while ICU formats, so that the text around
// them can be escaped and the values put back as they are (escaped text or Html).
const OPEN = '\ue000';
const CLOSE = '\ue001';
const SLOT = /\ue000(\d+)\ue001/;

function createMessages(language: string, used: string, catalogue: Catalogue): Messages {
  const formats = new Map<MessageKey, IntlMessageFormat>();
  const format = (key: MessageKey) => {
    let compiled = formats.get(key);
    if (!compiled) {
      // The catalogue's language for plurals; a missing message (impossible when typed) falls back to English.
      compiled = new IntlMessageFormat(catalogue[key] ?? en[key], used);
      formats.set(key, compiled);
    }
    return compiled;
  };
  const parts: Messages['parts'] = (key, values = {}) => {
    const compiled = format(key);
    const simple = simpleArguments(compiled.getAst());
    const slots: Array<{ name: string; value: Value }> = [];
    const input: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(values)) {
      if (simple.has(name) && typeof value !== 'number') {
        input[name] = `${OPEN}${slots.length}${CLOSE}`;
        slots.push({ name, value });
      } else input[name] = value instanceof Html ? value.html : value;
    }
    const text = String(compiled.format(input));
    const out: Array<string | { name: string; value: Value }> = [];
    for (const [i, piece] of text.split(SLOT).entries()) {
      if (i % 2 === 0) {
        if (piece) out.push(piece);
      } else out.push(slots[Number(piece)] as { name: string; value: Value });
    }
    return out;
  };
  return {
    language,
    catalogue: used,
    direction: RTL.has(primaryLanguage(language)) ? 'rtl' : 'ltr',
    t: (key, values) =>
      parts(key, values)
        .map((p) => (typeof p === 'string' ? p : p.value instanceof Html ? p.value.html : String(p.value)))
        .join(''),
    parts,
    html: (key, values, escapeText = Handlebars.escapeExpression) =>
      parts(key, values)
        .map((p) =>
          typeof p === 'string'
            ? escapeText(p)
            : p.value instanceof Html
              ? p.value.html
              : escapeText(String(p.value)),
        )
        .join(''),
  };
}

type Ast = ReturnType<IntlMessageFormat['getAst']>;

/** The arguments a message prints as they are ({name}), as opposed to those it selects or counts on. */
function simpleArguments(ast: Ast, into = new Set<string>()): Set<string> {
  for (const element of ast) {
    if (element.type === 1) into.add(element.value);
    if ('options' in element)
      for (const option of Object.values(element.options)) simpleArguments(option.value, into);
    if ('children' in element) simpleArguments(element.children, into);
  }
  return into;
}

/** Every placeholder a message names ({name}, {count, plural, …}, {kind, select, …}): what translations must keep. */
export function placeholdersOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (ast: Ast) => {
    for (const element of ast) {
      if (element.type >= 1 && element.type <= 6) names.add((element as { value: string }).value);
      if ('options' in element) for (const option of Object.values(element.options)) walk(option.value);
      if ('children' in element) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, 'en').getAst());
  return [...names].sort();
}

/**
 * `{{t "key" name=value}}` in a template: the message in the language of the template's root
 * context (`lang`, or a list's `list.language`), or of `lang=…`; values that are `Handlebars.SafeString` (the `link` helper's,
 * `{{{…}}}` fragments through `html`) stay markup, the rest is escaped. `{{link href text}}` makes
 * an `<a>` for a message's placeholder.
 */
export function registerMessageHelpers(hbs: typeof Handlebars, { text = false } = {}): void {
  // Plain-text templates (compiled with noEscape) take the message as it is.
  const escapeText = text ? (s: string) => s : hbs.escapeExpression;
  hbs.registerHelper('t', function (this: unknown, key: MessageKey, options: Handlebars.HelperOptions) {
    const { lang, ...hash } = options.hash as Record<string, unknown>;
    const root = (options.data as { root?: { lang?: string; list?: { language?: string } } } | undefined)
      ?.root;
    const messages = messagesFor(String(lang ?? root?.lang ?? root?.list?.language ?? 'en'));
    const values: Record<string, Value> = {};
    for (const [name, value] of Object.entries(hash))
      values[name] =
        value instanceof hbs.SafeString
          ? new Html(value.toHTML())
          : typeof value === 'number'
            ? value
            : String(value ?? '');
    return new hbs.SafeString(messages.html(key, values, escapeText));
  });
  hbs.registerHelper('html', (html: unknown) => new hbs.SafeString(String(html ?? '')));
  hbs.registerHelper('link', (href: unknown, shown: unknown, options: Handlebars.HelperOptions) => {
    const style = (options.hash as { style?: string }).style;
    const e = hbs.escapeExpression;
    return new hbs.SafeString(
      `<a href="${e(String(href))}"${style ? ` style="${e(style)}"` : ''}>${shown instanceof hbs.SafeString ? shown.toHTML() : e(String(shown))}</a>`,
    );
  });
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper(
    'strong',
    (shown: unknown) => new hbs.SafeString(`<strong>${hbs.escapeExpression(String(shown))}</strong>`),
  );
}
