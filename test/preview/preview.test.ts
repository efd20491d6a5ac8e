// `bulletin preview` as an editor uses it: the real command in a child process, the page in
// Chromium, the issue file edited on disk.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { BIN, bulletin } from '../support/cli.ts';

const SAMPLE = 'issues/global-eye';
const WAIT = { timeout: 20_000 };
/** The first PDF in a fresh process reads the fonts: seconds on a busy machine. */
const PDF_WAIT = { timeout: 60_000 };
/** Starting the command and the first PDF take long on a loaded machine. */
const TEST_TIMEOUT = 90_000;

let dir: string;
let issueFile: string;
let original: string;
let child: ChildProcess;
let output = '';
let errors = '';
let url: string;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

function save(text: string): void {
  writeFileSync(issueFile, text);
}

/** The text of the document in one of the page's frames. */
function frameText(id: string): Promise<string> {
  return page.evaluate(
    (frameId) =>
      (document.getElementById(frameId) as HTMLIFrameElement).contentDocument?.body?.innerText ?? '',
    id,
  );
}

function waitForFrameText(id: string, text: string) {
  return page.waitForFunction(
    ([frameId, wanted]) =>
      (
        document.getElementById(frameId as string) as HTMLIFrameElement
      ).contentDocument?.body?.innerText.includes(wanted as string),
    [id, text],
    WAIT,
  );
}

function problemsShown(): Promise<string[]> {
  return page.$$eval('#problems:not([hidden]) #problem-list li', (items) =>
    items.map((li) => li.textContent ?? ''),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bulletin-preview-'));
  cpSync(SAMPLE, join(dir, 'global-eye'), { recursive: true });
  issueFile = join(dir, 'global-eye', '005.md');
  original = readFileSync(issueFile, 'utf8');
  child = spawn(process.execPath, [BIN, 'preview', issueFile, '--port', '0'], {
    env: { ...process.env, BULLETIN_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}${errors}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`preview exited with ${code}: ${errors}`)));
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.goto(url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('bulletin preview', () => {
  it(
    'shows the email at 600 and 360 px, the plain-text part, the web edition and the PDF',
    async () => {
      await waitForFrameText('email-600', 'Straddling the Border');
      const widths = await page.$$eval('#email-600, #email-360', (frames) =>
        frames.map((f) => (f as HTMLIFrameElement).contentWindow?.innerWidth),
      );
      expect(widths).toEqual([600, 360]);
      await waitForFrameText('email-360', 'Straddling the Border');
      // Per-recipient placeholders hold sample values; links and images point back at the preview.
      await waitForFrameText('text', 'reader@example.org');
      expect(await frameText('text')).not.toContain('%%');
      const email = await (await fetch(`${url}email.html`)).text();
      expect(email).not.toMatch(/%%\w+%%/);
      expect(email).toContain(`${url}web/images/olga-heaven.png`);
      await waitForFrameText('web', 'Norway Extends Reflection Period');
      // The web edition's images load lazily: fetch each one as the frame would.
      const images = await page.evaluate(async () => {
        const frame = document.getElementById('web') as HTMLIFrameElement;
        const sources = [...(frame.contentDocument?.images ?? [])].map((img) => img.src);
        return Promise.all(sources.map(async (src) => (await fetch(src)).headers.get('content-type')));
      });
      expect(images.length).toBeGreaterThan(0);
      expect(images.every((type) => type === 'image/png')).toBe(true);

      await page.waitForFunction(
        () => document.body.dataset.pdf && document.body.dataset.pdf !== 'none',
        null,
        PDF_WAIT,
      );
      const pdf = Buffer.from(await (await fetch(`${url}edition.pdf`)).arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(cspViolations).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'rebuilds when the issue is saved and the page shows the change, where the reader was',
    async () => {
      const scrollOf = () =>
        page.evaluate(
          () => (document.getElementById('email-600') as HTMLIFrameElement).contentWindow?.scrollY,
        );
      await page.evaluate(() =>
        (document.getElementById('email-600') as HTMLIFrameElement).contentWindow?.scrollTo(0, 1500),
      );
      expect(await scrollOf()).toBe(1500);
      save(original.replace('## Norway Extends Reflection Period', '## Norway Extends Preview Period'));
      await waitForFrameText('email-600', 'Norway Extends Preview Period');
      await page.waitForFunction(
        () => (document.getElementById('email-600') as HTMLIFrameElement).contentWindow?.scrollY === 1500,
        null,
        WAIT,
      );
      await waitForFrameText('web', 'Norway Extends Preview Period');
      await waitForFrameText('text', 'Norway Extends Preview Period');
      expect(await frameText('email-360')).toContain('Norway Extends Preview Period');
      // The PDF follows.
      const before = await page.evaluate(() => Number(document.body.dataset.editions));
      await page.waitForFunction((g) => Number(document.body.dataset.pdf) >= g, before, PDF_WAIT);
    },
    TEST_TIMEOUT,
  );

  it(
    'rebuilds when publication.yml, an image or a template is saved',
    async () => {
      const publication = join(dir, 'global-eye', 'publication.yml');
      const yml = readFileSync(publication, 'utf8');
      writeFileSync(
        publication,
        yml.replace('tagline: A quarterly bulletin', 'tagline: A previewed bulletin'),
      );
      await waitForFrameText('web', 'A previewed bulletin');
      writeFileSync(publication, yml);
      await waitForFrameText('web', 'A quarterly bulletin');

      const generation = await page.evaluate(() => Number(document.body.dataset.editions));
      const image = join(dir, 'global-eye', 'images', 'olga-heaven.png');
      writeFileSync(image, readFileSync(join(dir, 'global-eye', 'images', 'perspectives-picture.png')));
      await page.waitForFunction((g) => Number(document.body.dataset.editions) > g, generation, WAIT);

      // A template saved: touched with its own times, so nothing changes for the tests and builds
      // that read the same files.
      const next = await page.evaluate(() => Number(document.body.dataset.editions));
      const template = statSync('templates/email/footer.mjml.hbs');
      utimesSync('templates/email/footer.mjml.hbs', template.atime, template.mtime);
      await page.waitForFunction((g) => Number(document.body.dataset.editions) > g, next, WAIT);
    },
    TEST_TIMEOUT,
  );

  it(
    'shows a problem with its place and hint beside the last good build, and drops it once fixed',
    async () => {
      const edited = original.replace(
        '## Norway Extends Reflection Period',
        '## Norway Extends Preview Period',
      );
      const broken = edited.replace('# Country Profile', '# Country Profiles');
      const line = broken.split('\n').indexOf('# Country Profiles') + 1;
      save(broken);
      await page.waitForFunction(() => document.querySelectorAll('#problem-list li').length > 0, null, WAIT);
      const [problem] = await problemsShown();
      expect(problem).toContain(`005.md:${line}:1`);
      expect(problem).toContain('unknown-section');
      expect(problem).toContain('Use one of'); // the hint
      expect(await page.textContent('#stale')).toContain('last good build');
      // The last good build stays on show.
      expect(await frameText('email-600')).toContain('Norway Extends Preview Period');

      save(edited);
      await page.waitForFunction(
        () => (document.getElementById('problems') as HTMLElement).hidden,
        null,
        WAIT,
      );
      expect(await problemsShown()).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'survives the file being deleted and picks it up when it is back',
    async () => {
      renameSync(issueFile, `${issueFile}.away`);
      await page.waitForFunction(
        () => document.getElementById('problem-list')?.textContent?.includes('issue-not-found'),
        null,
        WAIT,
      );
      renameSync(`${issueFile}.away`, issueFile);
      await page.waitForFunction(
        () => (document.getElementById('problems') as HTMLElement).hidden,
        null,
        WAIT,
      );
      expect(child.exitCode).toBeNull();
    },
    TEST_TIMEOUT,
  );

  it(
    'stops cleanly on Ctrl-C',
    async () => {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('Preview stopped.');
      expect(errors).toBe('');
    },
    TEST_TIMEOUT,
  );
});

describe('bulletin preview on the command line', () => {
  let busy: Server;
  afterAll(() => busy?.close());

  it(
    'says in one line that the port is in use and how to choose another',
    async () => {
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      const port = (busy.address() as { port: number }).port;
      const result = bulletin(['preview', `${SAMPLE}/005.md`, '--port', String(port)]);
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`port-in-use: Port ${port} on 127.0.0.1 is already in use.`);
      expect(result.stderr).toContain(`--port ${port + 1}`);
    },
    TEST_TIMEOUT,
  );

  it(
    'says in one line that a file given on the command line does not exist',
    () => {
      const result = bulletin(['preview', `${SAMPLE}/099.md`, '--port', '0']);
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('issue-not-found');
    },
    TEST_TIMEOUT,
  );
});
