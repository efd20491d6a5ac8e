// The templates of the list's automatic replies (templates/list/, one per kind of reply, plus the
// page the web side wraps around its list pages): <name>.txt is the plain-text part and starts with a
// "Subject:" line; <name>.mjml is the HTML part's content, placed in layout.mjml. Handlebars fills
// both; MJML turns the HTML into what mail clients render.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { registerMessageHelpers } from '../messages/index.ts';
import { fail } from '../problems.ts';

export const LIST_TEMPLATES_DIR = join(import.meta.dirname, '..', '..', 'templates', 'list');

export type ListTemplate =
  | 'confirm-subscribe'
  | 'confirm-unsubscribe'
  | 'confirm-change'
  | 'address-changed'
  | 'welcome'
  | 'goodbye'
  | 'help'
  | 'acknowledgement';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface ListTemplates {
  render(name: ListTemplate, values: Record<string, unknown>): Promise<RenderedMail>;
}

export function loadListTemplates(dir = LIST_TEMPLATES_DIR): ListTemplates {
  // Text parts are plain text: no HTML escaping there, messages included.
  const html = Handlebars.create();
  const text = Handlebars.create();
  registerMessageHelpers(html);
  registerMessageHelpers(text, { text: true });
  const compile = (file: string) =>
    file.endsWith('.txt')
      ? text.compile(readFileSync(join(dir, file), 'utf8'), { noEscape: true })
      : html.compile(readFileSync(join(dir, file), 'utf8'));
  const layout = compile('layout.mjml');
  const cache = new Map<
    ListTemplate,
    { text: HandlebarsTemplateDelegate; mjml: HandlebarsTemplateDelegate }
  >();
  return {
    async render(name, values) {
      let template = cache.get(name);
      if (!template) {
        template = { text: compile(`${name}.txt`), mjml: compile(`${name}.mjml`) };
        cache.set(name, template);
      }
      const [subjectLine, ...body] = template.text(values).split('\n');
      const subject = /^Subject: (.*)$/.exec(subjectLine ?? '')?.[1];
      if (subject === undefined)
        fail(
          'template-no-subject',
          `${name}.txt must start with a "Subject: …" line.`,
          'Put the subject on its first line.',
          { file: join(dir, `${name}.txt`) },
        );
      const { html } = await mjml2html(layout({ ...values, content: template.mjml(values) }), {
        validationLevel: 'strict',
      });
      return { subject: subject.trim(), text: `${body.join('\n').trim()}\n`, html };
    },
  };
}
