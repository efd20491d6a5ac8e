import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { type Problem, problem } from '../problems.ts';
import type { Publication } from './model.ts';
import { parseLocatedYaml, schemaProblems, unknownKeyWarnings } from './yaml.ts';

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like "#0b4f8a"');

/** A language of the editions: a lower-case BCP 47 primary tag (en, fr, es, ar). */
export const LANGUAGE_CODE = /^[a-z]{2,3}$/;
const languageCode = z.string().regex(LANGUAGE_CODE, 'must be a lower-case language code such as "fr"');

const sectionSchema = z.union([
  z.string().min(1),
  z.object({
    name: z.string().min(1),
    entries: z.boolean().default(false),
    /** The section's name as each translation prints it: `{ fr: Dossier }`. The file keeps `name`. */
    labels: z.record(languageCode, z.string().trim().min(1)).optional(),
  }),
]);

export const publicationSchema = z.object({
  name: z.string().min(1),
  tagline: z.string().optional(),
  list_address: z.email(),
  language: z
    .string()
    .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a language tag such as "en" or "fr-CH"')
    .default('en'),
  /** The languages editions are made in, the default first (or the one `language` names). */
  languages: z.array(languageCode).min(1, 'must list at least one language, e.g. [en, fr]').optional(),
  issn: z
    .string()
    .regex(/^\d{4}-\d{3}[\dXx]$/, 'must look like 1234-567X')
    .optional(),
  publisher: z.object({
    name: z.string().min(1),
    address: z.array(z.string().min(1)).default([]),
    phone: z.string().optional(),
    fax: z.string().optional(),
    website: z.url({ protocol: /^https?$/ }).optional(),
  }),
  disclaimer: z.string().optional(),
  /** false: a paper, report or programme, never called "No. 1". */
  numbered: z.boolean().default(true),
  sections: z.array(sectionSchema).min(1, 'must list at least one section'),
  colors: z.object({ primary: color.default('#0b4f8a'), accent: color.default('#c8102e') }).default({
    primary: '#0b4f8a',
    accent: '#c8102e',
  }),
  logo: z.string().optional(),
  pdf: z
    .object({
      paper: z.enum(['A4', 'Letter']).default('A4'),
      columns: z.number().int().min(1).max(3).default(2),
      attach: z.boolean().default(false),
    })
    .default({ paper: 'A4', columns: 2, attach: false }),
});

const HINTS: Record<string, string> = {
  list_address: 'Write the list address, e.g. globaleye@example.org.',
  sections: 'List section names in order; mark an events/publications section with `entries: true`.',
  publisher: 'Give publisher.name and publisher.address (a list of lines).',
};

export interface PublicationResult {
  publication?: Publication;
  problems: Problem[];
}

/** Reads `<folder>/publication.yml`. The folder's name is the publication's slug. */
export function loadPublication(folder: string): PublicationResult {
  const file = join(folder, 'publication.yml');
  if (!existsSync(file)) {
    return {
      problems: [problem('missing-publication', { folder }, { file })],
    };
  }
  const yaml = parseLocatedYaml(readFileSync(file, 'utf8'), file);
  if (yaml.problems.length) return { problems: yaml.problems };
  const parsed = publicationSchema.safeParse(yaml.value);
  if (!parsed.success) return { problems: schemaProblems(parsed, yaml, file, HINTS) };
  const problems = unknownKeyWarnings(yaml.value, Object.keys(publicationSchema.shape), yaml, file);
  const data = parsed.data;
  const sections = data.sections.map((s) =>
    typeof s === 'string'
      ? { name: s, entries: false }
      : {
          name: s.name,
          entries: s.entries,
          ...(s.labels ? { labels: new Map(Object.entries(s.labels)) } : {}),
        },
  );
  const given = yaml.value as { language?: unknown };
  const language =
    given.language === undefined && data.languages ? (data.languages[0] as string) : data.language;
  const languages = languagesOf(language, data.languages);
  if (!languages) {
    return {
      problems: [
        problem(
          'default-language',
          { language, languages: data.languages ?? [] },
          { file, ...yaml.locate(['languages']) },
        ),
      ],
    };
  }
  let logo: string | undefined;
  if (data.logo) {
    logo = join(folder, data.logo);
    if (!existsSync(logo)) {
      problems.push(problem('logo-not-found', { logo: data.logo }, { file, ...yaml.locate(['logo']) }));
    }
  }
  return {
    problems,
    publication: {
      slug: basename(folder),
      name: data.name,
      tagline: data.tagline,
      listAddress: data.list_address.toLowerCase(),
      language,
      languages,
      issn: data.issn,
      publisher: data.publisher,
      disclaimer: data.disclaimer,
      sections,
      colors: data.colors,
      logo,
      pdf: data.pdf,
      numbered: data.numbered,
    },
  };
}

/** en-GB → en: the language code of a full tag. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

/** The default language first, then the others declared; undefined when the default is not among them. */
function languagesOf(language: string, declared: readonly string[] | undefined): string[] | undefined {
  const primary = primaryLanguage(language);
  if (!declared) return [primary];
  if (!declared.includes(primary)) return undefined;
  return [primary, ...new Set(declared.filter((code) => code !== primary))];
}

export function publicationFolderOf(issueFile: string): string {
  return dirname(issueFile);
}
