// src/problems: errors as values (../problems.ts) and their catalogue (this file).
//
// The error catalogue: every problem code bulletin reports, one per situation, with its severity,
// what it means, and (for most) its message and hint as functions of the situation's details.
// `check`, the CLI, the preview and the logs all word a problem from here; docs/errors.md is this
// table printed (test/problems/catalogue.test.ts keeps the two equal). A code is a stable name for
// alerts and tests: rename one only with the docs, never reuse one for another situation.
//
// A few codes carry no message here (`inline` below): their call sites, in parts of the code that
// have not moved to the catalogue yet, still word the message themselves. Their code is checked
// all the same: `error()`/`warning()` accept only catalogued codes.

import { didYouMean } from '../suggest.ts';

export type Severity = 'error' | 'warning';

/** Where the situation arises, for docs/errors.md. */
export type Area = 'issue' | 'publication' | 'programme' | 'edition' | 'command' | 'config' | 'service';

interface Entry<P> {
  severity: Severity;
  area: Area;
  /** The situation, in a sentence, for the docs. */
  when: string;
  message: (params: P) => string;
  hint?: (params: P) => string | undefined;
}

interface InlineEntry {
  severity: Severity;
  area: Area;
  when: string;
}

/** A catalogued message and hint; `P` is what the call site knows about the situation. */
function define<P = undefined>(entry: Entry<P>): Entry<P> {
  return entry;
}

/** A code whose message is still written at its call site. */
function inline<S extends Severity>(severity: S, area: Area, when: string): InlineEntry & { severity: S } {
  return { severity, area, when };
}

/** "By, Role" or "none". */
const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');

/** A size as the editions' warnings give it: 104.3 KiB. */
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export const CATALOGUE = {
  // ── The issue file and its front matter ────────────────────────────────────────────────────
  'issue-not-found': define<{ path: string }>({
    severity: 'error',
    area: 'issue',
    when: 'The issue file named on the command line does not exist or is not a file.',
    message: (p) => `${p.path} does not exist.`,
    hint: () => 'Give the path of an issue file, e.g. issues/global-eye/005.md.',
  }),
  'file-name': define<{ name: string }>({
    severity: 'error',
    area: 'issue',
    when: 'The issue file is not named by its zero-padded number (005.md).',
    message: (p) => `An issue file is named by its zero-padded number, not "${p.name}".`,
    hint: () => 'Rename it, e.g. 005.md.',
  }),
  'not-text': define({
    severity: 'error',
    area: 'issue',
    when: 'The issue file holds a NUL byte or bytes that are not UTF-8.',
    message: () => 'The file is not UTF-8 text (a NUL byte or invalid UTF-8).',
    hint: () => 'Save it as UTF-8 from your editor.',
  }),
  'missing-front-matter': define({
    severity: 'error',
    area: 'issue',
    when: 'The issue file does not start with a --- line.',
    message: () => 'The file does not start with front matter.',
    hint: () => 'Start it with a --- line, the fields (number, title, date), and another --- line.',
  }),
  'front-matter-not-closed': define<{ firstHeading?: number }>({
    severity: 'error',
    area: 'issue',
    when: 'The front matter has no closing --- line (or a rule further down closed it).',
    message: () => 'The front matter is not closed: there is no --- line after its fields.',
    hint: (p) =>
      p.firstHeading === undefined
        ? 'Add a line holding only --- after the last field (number, title, date …).'
        : `Add a line holding only --- after the last field, before line ${p.firstHeading} (the first heading).`,
  }),
  'yaml-indentation': define({
    severity: 'error',
    area: 'issue',
    when: 'A YAML line (front matter or publication.yml) indented more than the fields above it.',
    message: () =>
      'This line is indented more than the fields above it, so it reads as part of the line above.',
    hint: () =>
      'Start each field at the beginning of its line; indent only the items of a list or a nested field.',
  }),
  'yaml-syntax': define<{ reason: string }>({
    severity: 'error',
    area: 'issue',
    when: 'YAML (front matter or publication.yml) that does not parse.',
    message: (p) => p.reason,
    hint: () => 'Check the indentation and quote values that contain a colon.',
  }),
  'invalid-field': define<{ field: string; reason: string; hint?: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A front-matter or publication.yml value is missing or of the wrong form.',
    message: (p) => `${p.field}: ${p.reason}.`,
    hint: (p) => p.hint,
  }),
  'unknown-key': define<{ path: string; key: string; known: readonly string[] }>({
    severity: 'warning',
    area: 'issue',
    when: 'A front-matter or publication.yml key bulletin does not know; it is ignored.',
    message: (p) => `Unknown key "${p.path}" is ignored.${didYouMean(p.key, p.known)}`,
    hint: (p) => `Known keys: ${p.known.join(', ')}.`,
  }),
  'number-mismatch': define<{ number: number; name: string }>({
    severity: 'error',
    area: 'issue',
    when: "The front matter's number and the file name disagree.",
    message: (p) => `number is ${p.number} but the file is ${p.name}.`,
    hint: () => 'Make the file name and the number agree.',
  }),
  'title-note-not-defined': define<{ label: string }>({
    severity: 'error',
    area: 'issue',
    when: 'The title cites a note that the body never defines.',
    message: (p) =>
      `The title cites note [^${p.label}], which is never defined, so it would print as "[^${p.label}]".`,
    hint: (p) =>
      `Add the note in the body on a line of its own: "[^${p.label}]: The note's text.", or remove the citation.`,
  }),

  // ── Translations (005.fr.md beside 005.md) ──────────────────────────────────────────────────
  'language-mismatch': define<{ written: string; named: string; name: string }>({
    severity: 'error',
    area: 'issue',
    when: "A translation's front matter `language` and its file name (005.fr.md) name different languages.",
    message: (p) => `language is "${p.written}" but the file ${p.name} is the "${p.named}" edition.`,
    hint: (p) =>
      `Make them agree: name a ${p.written} translation NNN.${p.written}.md, or write language: ${p.named}.`,
  }),
  'undeclared-language': define<{ language: string; declared: readonly string[] }>({
    severity: 'error',
    area: 'issue',
    when: 'An issue file is in a language its publication does not declare (`languages` in publication.yml).',
    message: (p) => `The publication has no language "${p.language}".${didYouMean(p.language, p.declared)}`,
    hint: (p) =>
      `Its languages are ${p.declared.join(', ')}; add "${p.language}" to \`languages\` in publication.yml, or correct the code.`,
  }),
  'translation-without-original': define<{ original: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A translation (005.fr.md) has no original (005.md) beside it.',
    message: (p) => `This translation has no original: ${p.original} does not exist.`,
    hint: () =>
      'Put the original beside it, or correct the file name (NNN.md, its translations NNN.<language>.md).',
  }),
  'translation-missing-section': define<{ section: string; original: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A section of the original is missing from a translation; its readers would not get it.',
    message: (p) =>
      `Section "${p.section}" of the original (${p.original}) is missing from this translation.`,
    hint: (p) =>
      `Translate it here, under "# ${p.section}" (the section's keyword stays as in the original).`,
  }),
  'translation-extra-section': define<{ section: string; original: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A translation has a section the original does not have.',
    message: (p) => `Section "${p.section}" is not in the original (${p.original}).`,
    hint: () =>
      'A translation has the sections and articles of its original: remove it here or add it there.',
  }),
  'translation-missing-article': define<{ section: string; index: number; title: string; original: string }>({
    severity: 'error',
    area: 'issue',
    when: "An article of the original is missing from a translation's section.",
    message: (p) =>
      `Article ${p.index} of section "${p.section}" in the original, "${p.title}" (${p.original}), is missing from this translation.`,
    hint: () => 'Translate it here, in the same place, with the same fields.',
  }),
  'translation-extra-article': define<{ section: string; index: number; title: string; original: string }>({
    severity: 'error',
    area: 'issue',
    when: "A translation's section has an article the original's does not have.",
    message: (p) =>
      `Article ${p.index} of section "${p.section}", "${p.title}", has no counterpart in the original (${p.original}).`,
    hint: () =>
      'A translation has the sections and articles of its original: remove it here or add it there.',
  }),
  'translation-order': define<{
    section: string;
    index: number;
    title: string;
    original: string;
    place: number;
  }>({
    severity: 'error',
    area: 'issue',
    when: "A translation's section has its articles in another order than the original's.",
    message: (p) =>
      `Article ${p.index} of section "${p.section}", "${p.title}", is article ${p.place} in the original (${p.original}).`,
    hint: () => "Put the articles in the original's order.",
  }),
  'translation-fields': define<{
    section: string;
    index: number;
    fields: readonly string[];
    originalFields: readonly string[];
    original: string;
  }>({
    severity: 'error',
    area: 'issue',
    when: "An article of a translation has other fields (By, Date, More …) than the original's.",
    message: (p) =>
      `Article ${p.index} of section "${p.section}" has the fields ${list(p.fields)}; the original's (${p.original}) has ${list(p.originalFields)}.`,
    hint: () => 'Give it the same fields as the original (translate their values, keep their names).',
  }),

  // ── The publication (publication.yml) ───────────────────────────────────────────────────────
  'missing-publication': define<{ folder: string }>({
    severity: 'error',
    area: 'publication',
    when: "The issue's folder has no publication.yml.",
    message: (p) => `No publication.yml in ${p.folder}.`,
    hint: () => 'Every issue folder needs one: see docs/authoring.md section 1.',
  }),
  'default-language': define<{ language: string; languages: readonly string[] }>({
    severity: 'error',
    area: 'publication',
    when: "publication.yml's `language` (the default) is not among its `languages`.",
    message: (p) => `language "${p.language}" is not among languages: ${p.languages.join(', ')}.`,
    hint: () =>
      'List the default language in `languages` (first), or leave `language` out: the first of `languages` is the default.',
  }),
  'logo-not-found': define<{ logo: string }>({
    severity: 'error',
    area: 'publication',
    when: 'The logo named in publication.yml does not exist.',
    message: (p) => `logo "${p.logo}" does not exist.`,
    hint: () => 'Put the file beside publication.yml.',
  }),
  'no-issues-folder': inline('error', 'publication', 'The issues folder (--issues) does not exist.'),
  'no-publications': inline('error', 'publication', 'The issues folder holds no publication.yml at all.'),
  'duplicate-list-address': inline('error', 'publication', 'Two publications share one list_address.'),
  'unknown-publication': inline('error', 'publication', '--publication names no publication.'),
  'which-publication': inline(
    'error',
    'publication',
    'A command needs --publication: there are several publications, or none.',
  ),

  // ── Sections and articles ───────────────────────────────────────────────────────────────────
  'unknown-section': define<{ name: string; declared: readonly string[] }>({
    severity: 'error',
    area: 'issue',
    when: 'A # heading names no section declared in publication.yml.',
    message: (p) => `Unknown section "${p.name}".${didYouMean(p.name, p.declared)}`,
    hint: (p) => `Use one of: ${p.declared.join(', ')} (declared in publication.yml).`,
  }),
  'duplicate-section': define<{ name: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A section heading appears twice.',
    message: (p) => `Section "${p.name}" appears twice.`,
    hint: () => 'Put all its articles under one heading.',
  }),
  'section-order': define<{ name: string; previous: string; declared: readonly string[] }>({
    severity: 'error',
    area: 'issue',
    when: 'Sections are not in the order of publication.yml.',
    message: (p) => `Section "${p.name}" comes after "${p.previous}".`,
    hint: (p) => `Sections follow the order of publication.yml: ${p.declared.join(', ')}.`,
  }),
  'empty-section': define<{ name: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A section heading with no article under it.',
    message: (p) => `Section "${p.name}" has no articles.`,
    hint: () => 'Add an article under it (## Title) or remove the heading.',
  }),
  'article-outside-section': define<{ title: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A ## article comes before any # section.',
    message: (p) => `Article "${p.title}" is not inside a section.`,
    hint: () => 'Put a # Section heading above it.',
  }),
  'duplicate-slug': define<{ title: string; firstLine: number }>({
    severity: 'error',
    area: 'issue',
    when: 'Two articles whose titles make the same link name (HTML id).',
    message: (p) => `Article "${p.title}" has the same link name as the article on line ${p.firstLine}.`,
    hint: () => 'Give one of them a different title.',
  }),
  'text-outside-article': define<{ section?: string }>({
    severity: 'error',
    area: 'issue',
    when: 'Text before the first section, or in a section before its first article.',
    message: (p) =>
      p.section
        ? `Text in section "${p.section}" before its first article.`
        : 'Text before the first section.',
    hint: () => 'Every paragraph belongs to an article: add a ## Title above it.',
  }),
  'article-repeats-section': define<{ section: string }>({
    severity: 'warning',
    area: 'issue',
    when: "A section's only article has the section's name, which every edition would print twice.",
    message: (p) =>
      `The only article of section "${p.section}" has the section's name, which every edition prints twice.`,
    hint: () => 'Give the article a title of its own, saying what it is about.',
  }),
  'empty-article': define<{ title: string }>({
    severity: 'warning',
    area: 'issue',
    when: 'An article with a title (and fields) but no text.',
    message: (p) => `Article "${p.title}" has no text.`,
    hint: () => 'Write its text under the title and fields, after a blank line; or remove the article.',
  }),

  // ── Article fields (src/issue/fields.ts) ────────────────────────────────────────────────────
  'unknown-field': define<{ name: string; fields: readonly string[]; aliases: ReadonlyMap<string, string> }>({
    severity: 'error',
    area: 'issue',
    when: 'A `Name: value` line under an article title names no field.',
    message: (p) => `Unknown field "${p.name}".${didYouMean(p.name, p.fields, p.aliases)}`,
    hint: (p) =>
      `Fields are ${p.fields.join(', ')}; leave a blank line before the article's first paragraph.`,
  }),
  'not-a-field': define<{ line: string; fields: readonly string[] }>({
    severity: 'error',
    area: 'issue',
    when: "A line in an article's field block that is not `Name: value`.",
    message: (p) => `"${p.line.slice(0, 40)}" is not a field (Name: value).`,
    hint: (p) =>
      `Fields are ${p.fields.join(', ')}; leave a blank line before the article's first paragraph.`,
  }),
  'empty-field': define<{ name: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An article field with no value.',
    message: (p) => `Field ${p.name} is empty.`,
    hint: () => 'Give it a value or remove the line.',
  }),
  'entry-field': define<{ name: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An events-and-publications field (Type, Date, Place, Link) in an ordinary section.',
    message: (p) => `Field ${p.name} is only for events and publications.`,
    hint: () => 'Mark the section `entries: true` in publication.yml, or remove the line.',
  }),
  'byline-author': define({
    severity: 'error',
    area: 'issue',
    when: 'Role or Organisation without By.',
    message: () => 'Role/Organisation given without By.',
    hint: () => 'Add a By: line with the author.',
  }),
  'more-link': define({
    severity: 'error',
    area: 'issue',
    when: 'A More: field without an absolute link.',
    message: () => 'More: needs an absolute link.',
    hint: () => 'Write "More: text <https://…>" or just the https:// address.',
  }),
  'entry-type': define<{ value: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A Type: field that is neither event nor publication.',
    message: (p) => `Type "${p.value}" is not event or publication.`,
    hint: () => 'Write Type: event or Type: publication.',
  }),
  'malformed-date': define<{ value: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A Date: field that is not a date or a range of dates.',
    message: (p) => `Date "${p.value}" is not a date.`,
    hint: () => 'Write YYYY-MM-DD or YYYY-MM, or a range "2009-02-24 to 2009-02-27".',
  }),
  'entry-link': define<{ value: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A Link: field that is not an absolute web address.',
    message: (p) => `Link "${p.value}" is not an absolute web address.`,
    hint: () => 'Write it in full, starting with https://.',
  }),

  // ── Markdown inside articles ────────────────────────────────────────────────────────────────
  'link-not-absolute': define<{ href: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A link in the text that is not an absolute web or mail address.',
    message: (p) => `Link "${p.href}" is not an absolute web or mail address.`,
    hint: () => 'Write it in full, starting with https://, http:// or mailto:.',
  }),
  'raw-html': define<{ tag: string }>({
    severity: 'error',
    area: 'issue',
    when: 'Raw HTML in the Markdown.',
    message: (p) => `Raw HTML is not allowed (${p.tag}).`,
    hint: () =>
      'Write it in Markdown instead (**bold**, *italic*, [text](https://…)); HTML never reaches an edition.',
  }),
  'unsupported-markdown': define<{ type: string }>({
    severity: 'error',
    area: 'issue',
    when: 'Markdown that no edition can show.',
    message: (p) => `Unsupported Markdown (${p.type}).`,
    hint: () => 'See docs/authoring.md for what an article may contain.',
  }),
  'indented-text': define({
    severity: 'warning',
    area: 'issue',
    when: 'Indented text (a Markdown code block), shown as a plain paragraph.',
    message: () => 'Indented text is shown as a plain paragraph.',
    hint: () => 'Remove the indentation (four spaces or a tab start a code block in Markdown).',
  }),
  rule: define({
    severity: 'warning',
    area: 'issue',
    when: 'A horizontal rule (---) in an article, which no edition shows.',
    message: () => 'A horizontal rule (---) is ignored.',
    hint: () => 'Use a ### sub-heading to separate parts of an article.',
  }),
  'heading-too-deep': define<{ level: number; markup: string }>({
    severity: 'warning',
    area: 'issue',
    when: 'A heading deeper than ####, set as ####.',
    message: (p) =>
      `A level-${p.level} heading (${p.markup}) is deeper than bulletin's headings go (#### at most).`,
    hint: () => 'Use ### for a part of an article and #### for a part of that part.',
  }),
  'unknown-box': define<{ line: string; boxes: readonly string[] }>({
    severity: 'error',
    area: 'issue',
    when: 'A ::: line naming no box.',
    message: (p) => `Unknown box "${p.line}".`,
    hint: (p) => `Use ::: ${p.boxes.join(' or ::: ')}, and close it with ::: on a line of its own.`,
  }),
  'unclosed-box': define<{ box: string; swallowed: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A ::: box without its closing :::, which swallows everything after it.',
    message: (p) =>
      `The box "${p.box}" is never closed, so everything after it is inside the box${p.swallowed ? ` (${p.swallowed})` : ''}.`,
    hint: () => 'Close it with ::: on a line of its own where the box ends.',
  }),
  'heading-in-box': define<{ box: string; swallowed: string; closedAt: number }>({
    severity: 'error',
    area: 'issue',
    when: 'A ::: box closed after a # or ## heading, which would vanish from the contents.',
    message: (p) =>
      `The box "${p.box}" holds ${p.swallowed}, which would vanish from the contents; its ::: is on line ${p.closedAt}.`,
    hint: () => 'Close the box with ::: before the next # or ## heading.',
  }),
  'footnote-not-cited': define<{ label: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A note defined but never cited, whose text would appear in no edition.',
    message: (p) => `Footnote [^${p.label}] is never cited, so its text appears in no edition.`,
    hint: (p) => `Cite it with [^${p.label}] where it belongs, or delete the note.`,
  }),
  'footnote-not-defined': define<{ label: string }>({
    severity: 'error',
    area: 'issue',
    when: 'A note cited in the body but never defined, which would print literally.',
    message: (p) =>
      `Footnote [^${p.label}] is cited but never defined, so it would print as "[^${p.label}]".`,
    hint: (p) =>
      `Add the note on a line of its own: "[^${p.label}]: The note's text.", or remove the citation.`,
  }),
  'reference-content': define({
    severity: 'error',
    area: 'issue',
    when: 'Something other than references inside a ::: references box.',
    message: () => 'A reference list holds references only: one paragraph or list item each.',
    hint: () => 'Move other material out of the ::: references box.',
  }),

  // ── Figures ─────────────────────────────────────────────────────────────────────────────────
  'image-not-alone': define({
    severity: 'error',
    area: 'issue',
    when: "A figure's image line carries text after the image.",
    message: () => 'An image must stand alone on its line.',
    hint: () => 'Put Caption: and Credit: on the lines under it.',
  }),
  'inline-image': define({
    severity: 'error',
    area: 'issue',
    when: 'An image inside a paragraph of text.',
    message: () => 'An image must be in a paragraph of its own.',
    hint: () => 'Leave a blank line before and after it.',
  }),
  'missing-alt': define<{ src: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An image without alt text.',
    message: (p) => `Image "${p.src}" has no alt text.`,
    hint: () => 'Describe the picture between the brackets: ![What it shows](path).',
  }),
  'image-path': define<{ src: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An image path that leaves the publication folder (absolute, a URL, or ..).',
    message: (p) => `Image "${p.src}" must be a file beside the issue.`,
    hint: () => 'Use a path inside the publication folder, such as images/photo.png.',
  }),
  'image-type': define<{ src: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An image that is not PNG or JPEG.',
    message: (p) => `Image "${p.src}" is not PNG or JPEG.`,
    hint: () => 'Convert it to .png or .jpg.',
  }),
  'image-not-found': define<{ src: string; file: string }>({
    severity: 'error',
    area: 'issue',
    when: 'An image file that does not exist.',
    message: (p) => `Image "${p.src}" does not exist.`,
    hint: (p) => `Put the file at ${p.file} or correct the path.`,
  }),
  'figure-line': define({
    severity: 'error',
    area: 'issue',
    when: 'A line under an image that is neither Caption: nor Credit:.',
    message: () => 'A line under an image must start with Caption: or Credit:.',
    hint: () => 'Leave a blank line after the figure to start a new paragraph.',
  }),

  // ── Programmes (::: programme) ──────────────────────────────────────────────────────────────
  'programme-date': define<{ day: string }>({
    severity: 'error',
    area: 'programme',
    when: "A day heading's YYYY-MM-DD that is not a real date.",
    message: (p) => `Day "${p.day}" is not a date.`,
    hint: () => 'Write the day as YYYY-MM-DD.',
  }),
  'programme-time': define<{ written: string }>({
    severity: 'error',
    area: 'programme',
    when: "A slot's time that is not a time of day on the 24-hour clock.",
    message: (p) => `"${p.written}" is not a time of day.`,
    hint: () => 'Write times on the 24-hour clock, e.g. 09:00–10:30.',
  }),
  'slot-ends-before-start': define<{ start: string; end: string }>({
    severity: 'error',
    area: 'programme',
    when: 'A slot that ends before (or when) it starts.',
    message: (p) => `The slot ends at ${p.end}, not after it starts at ${p.start}.`,
    hint: () => 'Correct the times (24-hour clock: 14:00, not 2:00).',
  }),
  'slot-order': define<{ start: string; previous: string; previousLine: number }>({
    severity: 'error',
    area: 'programme',
    when: 'A slot that starts before the slot above it, on the same day.',
    message: (p) => `The slot at ${p.start} comes after the slot at ${p.previous} (line ${p.previousLine}).`,
    hint: () => 'Put the slots of a day in the order of their times, or start a new day with a ### heading.',
  }),
  'programme-overlap': define<{ start: string; previousEnd: string }>({
    severity: 'warning',
    area: 'programme',
    when: 'A slot that starts before the previous one ends.',
    message: (p) => `The slot at ${p.start} starts before the previous one ends (${p.previousEnd}).`,
    hint: () => 'Check the times; parallel sessions are written as one slot with a description.',
  }),
  'programme-field': define<{ name: string; near: string }>({
    severity: 'error',
    area: 'programme',
    when: "A misspelt slot line (Spaeker:), which would be read as the slot's description.",
    message: (p) => `Unknown programme line "${p.name}:".`,
    hint: (p) => `Did you mean "${p.near}:"? Slots take Chair, Moderator, Speaker(s), Place.`,
  }),
  'empty-slot-field': define<{ name: string }>({
    severity: 'error',
    area: 'programme',
    when: 'A Chair:, Speaker:, Place: … line of a slot with nothing after it.',
    message: (p) => `${p.name}: is empty.`,
    hint: () => 'Give the name or remove the line.',
  }),
  'empty-programme': define({
    severity: 'error',
    area: 'programme',
    when: 'A ::: programme box without time slots.',
    message: () => 'This programme has no time slots.',
    hint: () => 'Start each slot on a line of its own with its times: 09:00–10:30 Opening session.',
  }),

  // ── What the editions would reveal (check, build, preview) ──────────────────────────────────
  'missing-glyph': define<{ char: string }>({
    severity: 'warning',
    area: 'edition',
    when: 'A character the PDF fonts cannot print.',
    message: (p) =>
      `The PDF fonts have no glyph for "${p.char}" (U+${(p.char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}); it would print as an empty box.`,
    hint: () => 'Spell it another way, or add a font that covers it to src/render/pdf/fonts.ts.',
  }),
  'email-size': define<{ bytes: number; limit: number; estimated: boolean }>({
    severity: 'warning',
    area: 'edition',
    when: "The email edition is over Gmail's clipping size (`check`, `build`, the preview).",
    message: (p) =>
      `The email edition is ${p.estimated ? 'about ' : ''}${kib(p.bytes)}, over Gmail's ${kib(p.limit)} clipping limit: Gmail would cut it short behind a "View entire message" link.`,
    hint: () => 'Shorten the issue, or move entries to the web edition.',
  }),
  'public-url': define<{ publicUrl: string; web: string }>({
    severity: 'warning',
    area: 'edition',
    when: "PUBLIC_URL is a loopback address, so the editions' links would reach nobody.",
    message: (p) =>
      `The editions' links would point at ${p.publicUrl}, which only this computer can open: the PDF would print "This issue on the web: ${p.web}".`,
    hint: () =>
      'Set PUBLIC_URL to the address the web edition is served from, e.g. PUBLIC_URL=https://bulletin.example.org.',
  }),
  mjml: inline('error', 'edition', 'The email templates produced invalid MJML.'),
  'template-no-subject': inline(
    'error',
    'edition',
    'A list-mail template (templates/list/*.txt) does not start with its "Subject: …" line.',
  ),
  pdf: inline('error', 'edition', 'The preview could not make the PDF edition.'),
  render: inline('error', 'edition', 'The preview could not render the editions.'),
  unreadable: inline('error', 'edition', 'The preview cannot read a file of the issue.'),

  // ── Command-line arguments ──────────────────────────────────────────────────────────────────
  'bad-port': define<{ port: string }>({
    severity: 'error',
    area: 'command',
    when: '`preview --port` is not a port number.',
    message: (p) => `--port ${p.port} is not a port number.`,
    hint: () => 'Give a number from 1 to 65535, e.g. --port 4000.',
  }),
  'invalid-base-url': define<{ value: string }>({
    severity: 'error',
    area: 'command',
    when: 'A `site --base-url` (or PUBLIC_URL) that is not an http(s) address.',
    message: (p) => `"${p.value}" is not an http(s) address.`,
    hint: () => 'Write it like https://news.example.org.',
  }),
  'invalid-listen': define<{ value: string }>({
    severity: 'error',
    area: 'command',
    when: 'A `serve` listening address that is not host:port.',
    message: (p) => `"${p.value}" is not host:port.`,
    hint: () => 'Write it like 127.0.0.1:2525.',
  }),
  'file-not-found': define<{ reason: string }>({
    severity: 'error',
    area: 'command',
    when: 'A file a command was given (or one it leads to) does not exist.',
    message: (p) => p.reason,
    hint: () => 'Check the path.',
  }),
  'file-not-permitted': define<{ reason: string }>({
    severity: 'error',
    area: 'command',
    when: 'A file a command needs may not be read or written by this user.',
    message: (p) => p.reason,
    hint: () => 'Check its permissions, or run as a user who may use it.',
  }),
  'file-is-a-folder': define<{ reason: string }>({
    severity: 'error',
    area: 'command',
    when: 'A command was given a folder where it needs a file.',
    message: (p) => p.reason,
    hint: () => 'Give the path of a file.',
  }),
  'no-build': inline(
    'error',
    'command',
    'bin/bulletin.js finds no compiled build/ (printed by bin/bulletin.js itself).',
  ),
  'port-in-use': inline(
    'error',
    'command',
    'A port a command listens on is taken (`serve --http`/`--smtp`, `preview --port`).',
  ),
  'port-denied': inline(
    'error',
    'command',
    'A port a command listens on needs privileges (below 1024: `serve`, `preview`).',
  ),
  'invalid-address': define<{ input: string }>({
    severity: 'error',
    area: 'command',
    when: 'A subscriber address given on the command line is not an email address.',
    message: (p) => `"${p.input}" is not an email address.`,
    hint: () => 'Write it as name@example.org.',
  }),
  'invalid-status': define<{ input: string; statuses: readonly string[] }>({
    severity: 'error',
    area: 'command',
    when: 'A --status option names no subscriber status.',
    message: (p) => `Unknown status "${p.input}".`,
    hint: (p) => `Use one of: ${p.statuses.join(', ')}.`,
  }),
  'opted-out': define<{ address: string; slug: string }>({
    severity: 'error',
    area: 'command',
    when: '`subscribers add` for an address that unsubscribed, bounced or complained.',
    message: (p) => `${p.address} unsubscribed, bounced or complained earlier.`,
    hint: (p) =>
      `Only they can subscribe again: on the web form (/${p.slug}/subscribe), or by mail to the list address unless they bounced or complained.`,
  }),
  'import-format': define<{ reason: string }>({
    severity: 'error',
    area: 'command',
    when: 'A subscriber CSV without a usable header row.',
    message: (p) => p.reason,
    hint: () => 'Export with a header row.',
  }),
  'address-erased': define<{ address: string; slug: string }>({
    severity: 'error',
    area: 'command',
    when: "`subscribers add` for an address erased at its owner's request (GDPR).",
    message: (p) => `${p.address} was erased from ${p.slug} at its owner's request.`,
    hint: (p) =>
      `Only they can subscribe again: on the web form (/${p.slug}/subscribe) or by mail to the list address.`,
  }),
  'invalid-id': define<{ value: string }>({
    severity: 'error',
    area: 'command',
    when: 'A contribution number that is not a positive whole number.',
    message: (p) => `"${p.value}" is not a contribution number.`,
    hint: () => 'See `bulletin contributions list`.',
  }),
  'unknown-contribution': define<{ number: string | number; slug: string }>({
    severity: 'error',
    area: 'command',
    when: 'No contribution has that number for the publication.',
    message: (p) => `No contribution ${p.number} for ${p.slug}.`,
    hint: () => 'See `bulletin contributions list`.',
  }),
  'no-campaign': define<{ ref: string }>({
    severity: 'error',
    area: 'command',
    when: 'No campaign matches the id or publication/issue given.',
    message: (p) => `No campaign ${p.ref}.`,
    hint: () => 'Name it by id or as publication/issue, e.g. global-eye/005; `bulletin status` lists them.',
  }),
  'not-sending': define<{ id: number; status: string }>({
    severity: 'error',
    area: 'command',
    when: '`campaign pause` on a campaign that is not sending.',
    message: (p) => `Campaign ${p.id} is ${p.status}, not sending.`,
  }),
  'not-paused': define<{ id: number; status: string }>({
    severity: 'error',
    area: 'command',
    when: '`campaign resume` on a campaign that is not paused.',
    message: (p) => `Campaign ${p.id} is ${p.status}, not paused.`,
  }),
  'no-readers': define<{ publication: string }>({
    severity: 'error',
    area: 'command',
    when: '`publish` to a list with no confirmed reader: nothing is recorded, so the issue can be sent later.',
    message: (p) =>
      `${p.publication} has no confirmed reader: no campaign was recorded and nothing was sent.`,
    hint: () =>
      'Add or import readers (bulletin subscribers add|import), then publish again: the issue can still be sent.',
  }),
  'schedule-in-past': define<{ local: string; timeZone: string; now: string }>({
    severity: 'error',
    area: 'command',
    when: '`publish --at` (or `schedule move`) with a time that has passed.',
    message: (p) => `${p.local} ${p.timeZone} has passed (it is ${p.now} there now).`,
    hint: () => 'Give a time to come, e.g. --at 2026-12-01T09:00, or publish without --at to send now.',
  }),
  'invalid-date': define<{ value: string }>({
    severity: 'error',
    area: 'command',
    when: '`--at` that is not a date and time of day that exists, as YYYY-MM-DDTHH:MM.',
    message: (p) => `"${p.value}" is not a date and time.`,
    hint: () => 'Write it as YYYY-MM-DDTHH:MM in the --tz zone, e.g. --at 2026-12-01T09:00.',
  }),
  'invalid-time-zone': define<{ value: string; known: readonly string[] }>({
    severity: 'error',
    area: 'command',
    when: '`--tz` that names no time zone this machine knows.',
    message: (p) => `"${p.value}" is not a time zone.${didYouMean(p.value, p.known)}`,
    hint: () =>
      'Use an IANA name, e.g. Europe/Zurich (also for Geneva: one city names each zone), America/New_York or UTC; `timedatectl list-timezones` lists them.',
  }),
  'invalid-window': define<{ value: string }>({
    severity: 'error',
    area: 'command',
    when: '`--window` that is not two different times of day, as HH:MM-HH:MM.',
    message: (p) => `"${p.value}" is not a sending window.`,
    hint: () =>
      'Write it as HH:MM-HH:MM in the --tz zone, e.g. --window 08:00-18:00 (22:00-06:00 spans midnight).',
  }),
  'not-scheduled': define<{ id: number; status: string }>({
    severity: 'error',
    area: 'command',
    when: '`schedule move` or `schedule cancel` on a campaign that is not waiting for its time.',
    message: (p) => `Campaign ${p.id} is ${p.status}, not scheduled.`,
    hint: () =>
      '`bulletin schedule list` shows the scheduled ones; `bulletin cancel` ends one that is sending.',
  }),
  'not-active': define<{ id: number; status: string }>({
    severity: 'error',
    area: 'command',
    when: '`campaign cancel` on a campaign that is neither sending nor paused.',
    message: (p) => `Campaign ${p.id} is ${p.status}; only sending or paused ones can be cancelled.`,
  }),
  'admin-account-name': define<{ name: string }>({
    severity: 'error',
    area: 'command',
    when: '`admin add-user` or `remove-user` with a name that is not 1–64 letters, digits or . _ @ -.',
    message: (p) => `"${p.name}" is not an account name.`,
    hint: () => 'Use 1–64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit.',
  }),
  'admin-password-length': define<{ min: number; max: number }>({
    severity: 'error',
    area: 'command',
    when: '`admin add-user` with a password that is too short or too long.',
    message: (p) => `The password must be ${p.min} to ${p.max} characters long.`,
    hint: () => 'A passphrase of a few words is long enough and easy to type.',
  }),
  'admin-password-missing': define({
    severity: 'error',
    area: 'command',
    when: '`admin add-user` with no terminal to ask on and no password on stdin.',
    message: () => 'No password given for the new account.',
    hint: () => 'Run it in a terminal to be asked, or pipe the password on stdin with --password-stdin.',
  }),
  'admin-password-mismatch': define({
    severity: 'error',
    area: 'command',
    when: '`admin add-user` asked for the password twice and got two different ones.',
    message: () => 'The two passwords typed differ; no account was created.',
    hint: () => 'Run the command again and type the same password twice.',
  }),
  'admin-account-exists': define<{ name: string }>({
    severity: 'error',
    area: 'command',
    when: "`admin add-user` with the name of an existing account (or of the environment's BULLETIN_ADMIN_USER).",
    message: (p) => `An account ${p.name} exists already.`,
    hint: () => '`bulletin admin remove-user <name>` first to replace it; `admin list-users` lists them.',
  }),
  'admin-no-account': define<{ name: string }>({
    severity: 'error',
    area: 'command',
    when: '`admin remove-user` with a name no account has.',
    message: (p) => `No account ${p.name}.`,
    hint: () => "`bulletin admin list-users` lists them (the environment's BULLETIN_ADMIN_USER is not one).",
  }),

  // ── Configuration (environment variables, src/config.ts) ───────────────────────────────────
  'config-not-url': define<{ variable: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'A URL variable (PUBLIC_URL, DATABASE_URL, REDIS_URL, SMTP_URL, IMAP_URL) that is not a URL of its scheme.',
    message: (p) => `${p.variable}: ${p.reason}.`,
    hint: () => 'Fix or unset this environment variable.',
  }),
  'config-too-short': define<{ variable: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'A secret or name variable shorter than it must be (BULLETIN_SECRET, BULLETIN_ADMIN_PASSWORD …).',
    message: (p) => `${p.variable}: ${p.reason}.`,
    hint: () => 'Fix or unset this environment variable.',
  }),
  'config-too-long': define<{ variable: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'A variable longer than it may be (BULLETIN_ADMIN_USER).',
    message: (p) => `${p.variable}: ${p.reason}.`,
    hint: () => 'Fix or unset this environment variable.',
  }),
  'config-not-a-number': define<{ variable: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'A number variable (IMAP_POLL_SECONDS) that is not a whole number, or is out of its range.',
    message: (p) => `${p.variable}: ${p.reason}.`,
    hint: () => 'Fix or unset this environment variable.',
  }),
  'config-not-a-choice': define<{ variable: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'A variable that takes one of a few words (TRUST_PROXY, LOG_LEVEL) set to another.',
    message: (p) => `${p.variable}: ${p.reason}.`,
    hint: () => 'Fix or unset this environment variable.',
  }),
  'health-listen': inline(
    'error',
    'config',
    'The address given for /healthz and /readyz (--health, HEALTH_LISTEN) cannot be listened on.',
  ),
  'secret-mismatch': inline(
    'error',
    'config',
    "BULLETIN_SECRET differs from the installation's token secret kept in the database.",
  ),
  'data-dir-unwritable': define<{ dir: string; path: string; reason: string }>({
    severity: 'error',
    area: 'config',
    when: 'The data directory (--data-dir, BULLETIN_DATA_DIR) or something in it cannot be created or written.',
    message: (p) =>
      p.path === p.dir
        ? `Cannot create or write the data directory ${p.dir} (${p.reason}).`
        : `Cannot write ${p.path} in the data directory ${p.dir} (${p.reason}).`,
    hint: () => 'Choose a writable --data-dir (BULLETIN_DATA_DIR), or fix its owner and permissions.',
  }),
  'data-dir-too-long': inline(
    'error',
    'config',
    "The data directory's path is too long for the private Redis server's socket.",
  ),

  // ── Services: the database, Redis, locks ────────────────────────────────────────────────────
  database: inline(
    'warning',
    'service',
    'The database stopped answering (work waits until it does), or the private PostgreSQL server went down and is restarted.',
  ),
  'database-unreachable': inline(
    'error',
    'service',
    'The database (DATABASE_URL, or the private server) does not answer when a command starts (5 s for DATABASE_URL).',
  ),
  'database-refused': define<{ where: string; user: string; reason: string }>({
    severity: 'error',
    area: 'service',
    when: 'The PostgreSQL server at DATABASE_URL answers but refuses the connection: wrong password, unknown user or database.',
    message: (p) => `PostgreSQL at ${p.where} refused user "${p.user}": ${p.reason}.`,
    hint: () => 'Check the user, password and database name in DATABASE_URL.',
  }),
  'database-lost': inline(
    'error',
    'service',
    'The database stopped answering while a command ran, for longer than an outage is waited out.',
  ),
  'no-postgresql': inline('error', 'service', 'No PostgreSQL programs to start the private database with.'),
  'no-postgres-user': inline(
    'error',
    'service',
    'Running as root, with no user to run the private PostgreSQL as.',
  ),
  'initdb-failed': inline('error', 'service', 'initdb could not create the private database.'),
  'postgres-timeout': inline('error', 'service', 'The private PostgreSQL server did not start in time.'),
  'no-redis-server': inline('error', 'service', 'No redis-server program to start the private Redis with.'),
  'redis-failed': inline('error', 'service', 'The private redis-server exited at start.'),
  'redis-timeout': inline('error', 'service', 'The private redis-server did not start in time.'),
  'redis-unreachable': define<{ where: string; reason: string; private: boolean }>({
    severity: 'error',
    area: 'service',
    when: 'Redis (REDIS_URL or the private one) does not answer within 2 s of a command starting.',
    message: (p) => `Redis at ${p.where} does not answer (${p.reason}).`,
    hint: (p) =>
      p.private
        ? 'See redis.log in the data directory, or set REDIS_URL.'
        : 'Check REDIS_URL and that its server is running (or unset REDIS_URL to use a private redis-server).',
  }),
  'redis-refused': define<{ where: string; reason: string }>({
    severity: 'error',
    area: 'service',
    when: 'The Redis server at REDIS_URL answers but refuses the password (or wants one).',
    message: (p) => `Redis at ${p.where} refused the connection: ${p.reason}.`,
    hint: () => 'Check the user and password in REDIS_URL (redis://user:password@host:port).',
  }),
  'smtp-unreachable': define<{ where: string; reason: string }>({
    severity: 'error',
    area: 'service',
    when: 'The SMTP server at SMTP_URL does not answer when a command that sends mail starts.',
    message: (p) => `The SMTP server at ${p.where} does not answer (${p.reason}).`,
    hint: () => 'Check SMTP_URL and that the server is running (or unset SMTP_URL to write .eml files).',
  }),
  'smtp-refused': define<{ where: string; user?: string; reason: string }>({
    severity: 'error',
    area: 'service',
    when: 'The SMTP server at SMTP_URL refuses the login (or the connection) when a command that sends mail starts.',
    message: (p) =>
      `The SMTP server at ${p.where} refused ${p.user ? `user "${p.user}"` : 'the connection'}: ${p.reason}.`,
    hint: () => 'Check the user and password in SMTP_URL (smtp://user:password@host:port).',
  }),
  'redis-eviction': inline(
    'warning',
    'service',
    "Redis may evict keys (maxmemory-policy), which would lose BullMQ's jobs.",
  ),
  'lock-timeout': inline(
    'error',
    'service',
    'Another process held a machine-wide lock (starting a private service) too long.',
  ),
  internal: inline(
    'error',
    'service',
    'A state bulletin should never reach (an internal invariant failed); report it with the log.',
  ),
} as const satisfies Record<string, Entry<never> | InlineEntry>;

export type ProblemCode = keyof typeof CATALOGUE;

type CatalogueOf = typeof CATALOGUE;

/** Codes whose message and hint the catalogue words. */
export type WordedCode = {
  [C in ProblemCode]: CatalogueOf[C] extends { message: unknown } ? C : never;
}[ProblemCode];

/** Codes still worded at their call site, by severity. */
export type InlineCode<S extends Severity = Severity> = {
  [C in ProblemCode]: CatalogueOf[C] extends { message: unknown }
    ? never
    : CatalogueOf[C] extends { severity: S }
      ? C
      : never;
}[ProblemCode];

/** What a worded code needs to know about the situation. */
export type ParamsOf<C extends WordedCode> = CatalogueOf[C] extends Entry<infer P> ? P : never;

export function entryOf(code: ProblemCode): {
  severity: Severity;
  area: Area;
  when: string;
  message?: (params: unknown) => string;
  hint?: (params: unknown) => string | undefined;
} {
  return CATALOGUE[code] as ReturnType<typeof entryOf>;
}

const AREAS: Record<Area, string> = {
  issue: 'The issue file (`bulletin check`, `build`, `preview`)',
  publication: 'The publication (publication.yml, the issues folder)',
  programme: 'Programmes (`::: programme`)',
  edition: 'What the editions would reveal',
  command: 'Commands and their arguments',
  config: 'Configuration (environment variables)',
  service: 'Services: the database, Redis, locks; internal errors',
};

/** docs/errors.md, printed from the catalogue (`npm run docs`). */
export function catalogueMarkdown(): string {
  const entries = Object.entries(CATALOGUE) as [ProblemCode, InlineEntry][];
  const sections = (Object.keys(AREAS) as Area[]).map((area) => {
    const rows = entries
      .filter(([, entry]) => entry.area === area)
      .map(([code, entry]) => `| \`${code}\` | ${entry.severity} | ${entry.when.replace(/\|/g, '\\|')} |`);
    return [`## ${AREAS[area]}`, '', '| code | severity | when |', '| --- | --- | --- |', ...rows].join('\n');
  });
  return [
    '# Problem codes',
    '',
    '<!-- Printed from src/problems/catalogue.ts by `npm run docs`; test/problems/catalogue.test.ts checks it. -->',
    '',
    'Every problem bulletin reports has a stable code, printed before its message:',
    '`issues/global-eye/006.md:14:1 error unknown-section: Unknown section "Editorial". Use one of: …`.',
    'An error stops `check` (exit status 1), `build` and `publish`; a warning is shown and lets them go on.',
    'Alerts and scripts should match on the code, never on the message.',
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}
