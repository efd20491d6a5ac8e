// `npm run docs`: prints the docs that are tables of the code: docs/errors.md from the error
// catalogue, and docs/authoring.md's field tables from src/issue/fields.ts. Tests fail when they
// drift apart (test/problems/catalogue.test.ts, test/issue/fields.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fieldTablesMarkdown } from '../src/issue/fields.ts';
import { catalogueMarkdown } from '../src/problems/catalogue.ts';

const docs = new URL('../docs/', import.meta.url);
writeFileSync(new URL('errors.md', docs), catalogueMarkdown());

const authoring = new URL('authoring.md', docs);
let text = readFileSync(authoring, 'utf8');
for (const [name, table] of Object.entries(fieldTablesMarkdown())) {
  const block = new RegExp(`(<!-- fields:${name} [^\\n]*-->\\n)[\\s\\S]*?(\\n<!-- /fields:${name} -->)`);
  if (!block.test(text)) throw new Error(`docs/authoring.md has no <!-- fields:${name} --> block`);
  text = text.replace(block, (_, open: string, close: string) => `${open}${table}${close}`);
}
writeFileSync(authoring, text);
