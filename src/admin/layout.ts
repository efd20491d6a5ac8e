// The admin's one layout (skip link, nav, who is signed in, the flash message) and its sign-in
// page. Plain HTML and one inline stylesheet: nothing to load, no script.

import type { Account } from './accounts.ts';
import { type Html, html } from './html.ts';

const STYLE = html`<style>
  :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.45; }
  body { margin: 0; color: #1a1a1a; background: #fafafa; }
  a { color: #0b4f8a; }
  a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f1b400; outline-offset: 2px; }
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
  header { background: #16324f; color: #fff; padding: .5rem 1.5rem; display: flex; flex-wrap: wrap;
    gap: 1rem 2rem; align-items: center; }
  header a { color: #fff; }
  header .brand { font-weight: 700; font-size: 1.1rem; margin: 0; }
  nav ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 1.25rem; flex-wrap: wrap; }
  nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
  .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
  .who button { background: transparent; color: #fff; border: 1px solid #fff; border-radius: 4px;
    padding: .25rem .6rem; font: inherit; cursor: pointer; }
  main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  caption { text-align: left; font-weight: 600; padding: .5rem 0; }
  th, td { border-bottom: 1px solid #d0d0d0; padding: .4rem .6rem; text-align: left; vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .flash { background: #e6f4ea; border: 1px solid #1e7b34; padding: .6rem 1rem; border-radius: 4px; }
  .error { background: #fdecea; border: 1px solid #b3261e; padding: .6rem 1rem; border-radius: 4px; }
  form.inline { display: inline; }
  button.action { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid #16324f;
    background: #16324f; color: #fff; cursor: pointer; margin: 0 .5rem .5rem 0; }
  button.danger { background: #b3261e; border-color: #b3261e; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
  input[type=text], input[type=password], input[type=search], input[type=email], select {
    font: inherit; padding: .35rem .5rem; border: 1px solid #6b6b6b; border-radius: 4px; min-width: 16rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.5rem; }
  dl.facts dt { font-weight: 600; }
  dl.facts dd { margin: 0; }
  .login { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 1.5rem 2rem;
    border: 1px solid #d0d0d0; border-radius: 6px; }
</style>`;

function document(title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · bulletin admin</title>
${STYLE}
</head>
<body>
${content}
</body>
</html>
`;
}

export function renderLayout(page: {
  title: string;
  body: Html;
  account: Account;
  nav: { label: string; path: string }[];
  /** The request's path: its nav entry is marked current. */
  current: string;
  flash?: string;
  /** The sign-out form's CSRF field. */
  csrf: Html;
}): Html {
  const links = page.nav.map(({ label, path }) => {
    const here = page.current === path || page.current.startsWith(`${path}/`);
    return html`<li><a href="${path}"${here ? html` aria-current="page"` : ''}>${label}</a></li>`;
  });
  return document(
    page.title,
    html`<a class="skip" href="#main">Skip to the content</a>
<header>
<p class="brand">bulletin admin</p>
<nav aria-label="Admin sections"><ul>${links}</ul></nav>
<div class="who">
<span>${page.account.name} (${page.account.role})</span>
<form class="inline" method="post" action="/admin/logout">${page.csrf}<button type="submit">Sign out</button></form>
</div>
</header>
<main id="main">
${page.flash ? html`<p class="flash" role="status">${page.flash}</p>` : ''}
<h1>${page.title}</h1>
${page.body}
</main>`,
  );
}

export function loginPage(form: {
  action: string;
  next: string;
  name?: string;
  error?: string;
  csrf: Html;
}): Html {
  return document(
    'Sign in',
    html`<main id="main" class="login">
<h1>Sign in to bulletin admin</h1>
${form.error ? html`<p class="error" role="alert">${form.error}</p>` : ''}
<form method="post" action="${form.action}">
${form.csrf}
<input type="hidden" name="next" value="${form.next}">
<label for="name">Name</label>
<input type="text" id="name" name="name" autocomplete="username" required value="${form.name ?? ''}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button class="action" type="submit">Sign in</button></p>
</form>
</main>`,
  );
}
