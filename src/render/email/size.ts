// How big the email's HTML will be, estimated from the MJML source without running MJML: MJML and
// its CSS inliner cost about a second and a hundred megabytes, too much for `bulletin check`.
//
// MJML copies the content of every component through and wraps each component in table markup of
// a near-constant size; the <mj-style inline> rules are copied into the style attribute of every
// element they match. Both are counted here. The per-component sizes were measured on MJML 5
// (an empty component rendered inside the real issue) and rounded up, so that the estimate errs
// on the large side; test/render/email-size.test.ts holds it at or above the truth, by less than 15 %.

import type { Issue } from '../../issue/model.ts';
import { emailMjml } from './template.ts';

/** Gmail clips messages whose HTML is larger than this. */
export const GMAIL_CLIP_BYTES = 102_400;

/**
 * Below this share of the limit the estimate decides alone. The estimate has been 5–13 % over the
 * truth and never under it; the margin leaves room for being 10 % under.
 */
export const ESTIMATE_MARGIN = 0.9;
/** Above this share of the limit the estimate decides alone too: 25 % over is beyond its error. */
export const CERTAINLY_OVER = 1.25;

export interface EmailSize {
  bytes: number;
  /** True when MJML rendered the email; false when the estimate was far enough from the limit. */
  exact: boolean;
}

/**
 * The size of the email edition's HTML, as `build` would write it: estimated when clearly under
 * Gmail's limit (the common case, no MJML) or far over it, rendered with MJML (loaded only then)
 * when near it.
 */
export async function emailSize(issue: Issue): Promise<EmailSize> {
  const estimate = estimateEmailBytes(emailMjml(issue));
  if (estimate < GMAIL_CLIP_BYTES * ESTIMATE_MARGIN || estimate > GMAIL_CLIP_BYTES * CERTAINLY_OVER)
    return { bytes: estimate, exact: false };
  const { renderEmail } = await import('./index.ts');
  return { bytes: (await renderEmail(issue)).bytes, exact: true };
}

/** Bytes MJML adds around each component, beyond the component's own source. */
const COMPONENT_BYTES = new Map([
  ['mj-section', 760],
  ['mj-column', 530],
  ['mj-text', 230],
  ['mj-image', 470],
]);
/** A component not measured above: as much as the largest measured one. */
const OTHER_COMPONENT_BYTES = 760;

export function estimateEmailBytes(mjml: string): number {
  const bodyAt = mjml.indexOf('<mj-body');
  const head = bodyAt < 0 ? '' : mjml.slice(0, bodyAt);
  const body = bodyAt < 0 ? mjml : mjml.slice(bodyAt);
  // The components' own tags do not reach the HTML; what they become is counted below.
  const content = body.replace(/<\/?mj-[^>]*>/g, '');
  let bytes = Buffer.byteLength(head) + Buffer.byteLength(content);
  for (const [, name] of body.matchAll(/<(mj-[a-z-]+)/g)) {
    if (name === 'mj-body' || name === 'mj-raw') continue;
    bytes += COMPONENT_BYTES.get(name as string) ?? OTHER_COMPONENT_BYTES;
  }
  for (const rule of inlinedRules(head)) bytes += rule.bytes * countMatches(body, rule.selector);
  return bytes;
}

interface InlinedRule {
  selector: string;
  /** What one matching element gains: ` style="…"` holding the declarations. */
  bytes: number;
}

function inlinedRules(head: string): InlinedRule[] {
  const rules: InlinedRule[] = [];
  for (const [, css = ''] of head.matchAll(/<mj-style[^>]*inline="inline"[^>]*>([\s\S]*?)<\/mj-style>/g)) {
    for (const [, selectors = '', declarations = ''] of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
      const bytes = Buffer.byteLength(declarations.trim()) + ' style=""'.length;
      for (const selector of selectors.split(',')) rules.push({ selector: selector.trim(), bytes });
    }
  }
  return rules;
}

/** Elements of `html` matched by a simple selector (`p`, `.kicker`, `table.data th`: its last part). */
function countMatches(html: string, selector: string): number {
  const last = selector.split(/\s+/).pop() ?? '';
  const [, tag, className] = /^([a-z][a-z0-9]*)?(?:\.([\w-]+))?$/i.exec(last) ?? [];
  if (className)
    return [...html.matchAll(/\bclass="([^"]*)"/g)].filter(([, list = '']) =>
      list.split(/\s+/).includes(className),
    ).length;
  if (tag) return [...html.matchAll(new RegExp(`<${tag}[\\s>/]`, 'gi'))].length;
  return 0;
}
