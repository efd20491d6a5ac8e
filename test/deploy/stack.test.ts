// The deployment files (Dockerfile, docker-compose.yml, .env.example) as an operator meets them.
// No Docker engine runs here: the compose file is checked by Debian's docker-compose (`config`,
// which parses, interpolates and validates against the Compose schema), the Dockerfile by
// dockerfile-utils (the linter behind VS Code's Dockerfile support).

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config.ts';
import { tempDataDir } from '../support/data-dir.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const dockerfile = read('Dockerfile');
const composeSource = read('docker-compose.yml');
const envExample = read('.env.example');

/** Names .env.example lists, set (NAME=…) or shown commented out (# NAME=…). */
const listed = new Set([...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

const temp = tempDataDir();
afterAll(() => temp.remove());

/** .env.example with the required secrets filled in, as an operator's .env. */
function envFile(values: Record<string, string>): string {
  let text = envExample;
  for (const [name, value] of Object.entries(values))
    text = text.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`);
  const file = join(temp.dir, `env-${Object.keys(values).length}`);
  writeFileSync(file, text);
  return file;
}

/** `docker-compose config` with only PATH from our environment (nothing of the developer's). */
function composeConfig(file: string, ...flags: string[]) {
  const result = spawnSync('docker-compose', ['--env-file', file, 'config', ...flags], {
    cwd: root,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error('docker-compose is not installed: run `bash scripts/install-system-packages`.');
  return result;
}

interface Service {
  container_name?: string;
  ports?: unknown[];
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: unknown[];
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const secrets = { POSTGRES_PASSWORD: 'b5f0c9d3e1a2', BULLETIN_SECRET: 'x'.repeat(48) };
  const result = composeConfig(envFile(secrets));
  const services: Record<string, Service> = result.status === 0 ? parse(result.stdout).services : {};

  it('validates with the secrets of .env.example filled in', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(services).sort()).toEqual(['app', 'mailpit', 'postgres', 'redis', 'worker']);
  });

  it('refuses to start without the secrets, naming the missing one', () => {
    const empty = composeConfig(join(root, '.env.example'), '-q');
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toMatch(/set (POSTGRES_PASSWORD|BULLETIN_SECRET) in \.env/);
  });

  it('runs `serve` on every interface of the container and a scalable worker with no name or host port', () => {
    expect(services.app?.command?.slice(0, 1)).toEqual(['serve']);
    expect(services.app?.command).toContain('0.0.0.0:3000');
    expect(services.app?.command).toContain('0.0.0.0:2525');
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.worker?.container_name).toBeUndefined();
    expect(services.worker?.ports ?? []).toEqual([]);
    expect(services.worker?.environment?.HEALTH_LISTEN).toMatch(/:\d+$/);
    for (const name of Object.keys(services)) expect(services[name]?.container_name).toBeUndefined();
  });

  it('starts bulletin only once PostgreSQL and Redis are healthy, with mail going to mailpit', () => {
    for (const name of ['app', 'worker']) {
      expect(services[name]?.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(services[name]?.depends_on?.redis?.condition).toBe('service_healthy');
      expect(services[name]?.environment?.SMTP_URL).toBe('smtp://mailpit:1025');
      expect(services[name]?.environment?.DATABASE_URL).toBe(
        `postgres://bulletin:${secrets.POSTGRES_PASSWORD}@postgres:5432/bulletin`,
      );
      expect(services[name]?.environment?.BULLETIN_SECRET).toBe(secrets.BULLETIN_SECRET);
    }
    for (const name of ['postgres', 'redis', 'mailpit'])
      expect(services[name]?.healthcheck?.test).toBeDefined();
  });

  it('keeps every job in Redis (noeviction, append-only) and every store on a volume', () => {
    const command = services.redis?.command?.join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
    expect(JSON.stringify(services.redis?.volumes)).toContain('/data');
    expect(JSON.stringify(services.postgres?.volumes)).toContain('/var/lib/postgresql/data');
    expect(JSON.stringify(services.app?.volumes)).toContain('/data');
  });

  it('publishes host ports on loopback unless the operator says otherwise', () => {
    for (const name of ['app', 'mailpit'])
      for (const port of services[name]?.ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
  });

  it('passes every bulletin setting through, except those the stack fixes itself', () => {
    const fixedByStack = new Set(['BULLETIN_DATA_DIR', 'HEALTH_LISTEN']); // the image's ENV, the worker's
    for (const name of Object.keys(configSchema.shape)) {
      if (fixedByStack.has(name)) continue;
      expect(Object.keys(services.app?.environment ?? {}), name).toContain(name);
    }
  });
});

describe('.env.example', () => {
  it('lists every variable that docker-compose.yml and the Dockerfile use', () => {
    const used = new Set(
      [...`${composeSource}\n${dockerfile}`.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(listed, name).toContain(name);
  });

  it('lists every setting of src/config.ts', () => {
    for (const name of Object.keys(configSchema.shape)) expect(listed, name).toContain(name);
  });

  it('commits no secret: the secrets are empty placeholders with a way to generate them', () => {
    for (const name of ['POSTGRES_PASSWORD', 'BULLETIN_SECRET', 'BULLETIN_ADMIN_PASSWORD'])
      expect(envExample).toMatch(new RegExp(`^${name}=$`, 'm'));
    expect(envExample).toMatch(/openssl rand/);
  });
});

describe('Dockerfile', () => {
  /** The instructions of the last stage, the image that runs. */
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('lints clean', () => {
    expect(validate(dockerfile)).toEqual([]);
  });

  it('lints: the linter does find mistakes', () => {
    const broken = 'FROM node:20\nHEALTHCHECK --interva=30s CMD ls\nUSER\nCOPY only-one\n';
    expect(validate(broken).length).toBeGreaterThanOrEqual(3);
  });

  it('builds in stages and runs from a Debian-based Node 20 image as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-(bookworm|bullseye|trixie)(-slim)?$/m);
    const users = [...runtime.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime).toMatch(/useradd --system --uid (\d+)/);
  });

  it('installs production dependencies only in the image that runs', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/^RUN npm/m);
    expect(runtime).not.toMatch(/^COPY (src|test|tsconfig)/m);
  });

  it('copies only what exists and what .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+(?: \S+)*) \S+$/gm)) {
      for (const path of (source ?? '').split(' ')) {
        expect(existsSync(join(root, path)), path).toBe(true);
        expect(ignored, path).not.toContain(path.split('/')[0]);
      }
    }
  });

  it('has a HEALTHCHECK that asks /healthz and fails on anything but 200', async () => {
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "scripts\/healthcheck\.js"\]$/m);
    let status = 200;
    const paths: string[] = [];
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const check = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [join(root, 'scripts', 'healthcheck.js')], {
          env: { HEALTH_LISTEN: `127.0.0.1:${port}` },
          stdio: 'ignore',
        });
        child.on('exit', resolve);
      });
    try {
      expect(await check()).toBe(0);
      status = 503;
      expect(await check()).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      server.close();
    }
  });

  it('leaves out no package the compiled code loads: each one is a production dependency', () => {
    const manifest = JSON.parse(read('package.json'));
    const production = new Set(Object.keys(manifest.dependencies));
    const all = [...production, ...Object.keys(manifest.devDependencies)];
    const loaded = new Set<string>();
    const visit = (path: string) => {
      if (statSync(path).isDirectory()) {
        for (const entry of readdirSync(path)) visit(join(path, entry));
        return;
      }
      // Development only: it runs the TypeScript sources under tsx (`bulletin preview` from src).
      if (!/\.[jt]s$/.test(path) || path.endsWith('-entry.js')) return;
      // Every quoted specifier: imports, dynamic imports, require and resolved font paths alike.
      for (const [, specifier] of readFileSync(path, 'utf8').matchAll(/['"`]([@a-z][\w./@-]*)['"`]/g)) {
        const name = all.find((pkg) => specifier === pkg || specifier?.startsWith(`${pkg}/`));
        if (name) loaded.add(name);
      }
    };
    visit(join(root, 'src'));
    expect(loaded.size).toBeGreaterThan(20);
    expect([...loaded].filter((name) => !production.has(name))).toEqual([]);
  });

  it('runs from the runtime layout: the build with its links copied in place, production dependencies only', {
    timeout: 120_000,
  }, () => {
    // The runtime stage, rebuilt from this checkout: build/ copied with -L, bin/, issues/, and a
    // node_modules holding only what `npm ci --omit=dev` installs (linked, and resolved through
    // the links with --preserve-symlinks, so a development package cannot be found by accident).
    const app = join(temp.dir, 'app');
    cpSync(join(root, 'build'), join(app, 'build'), { recursive: true, dereference: true });
    for (const path of ['bin', 'issues', 'package.json'])
      cpSync(join(root, path), join(app, path), { recursive: true });
    const listing = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const topLevel = listing.stdout
      .split('\n')
      .map((path) => path.slice(root.length + 1))
      .filter((path) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(path));
    expect(topLevel.length).toBeGreaterThan(100);
    for (const path of topLevel) {
      mkdirSync(join(app, path, '..'), { recursive: true });
      symlinkSync(join(root, path), join(app, path), 'dir');
    }
    const node = (args: string[]) =>
      spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', ...args], {
        cwd: app,
        env: { PATH: process.env.PATH, BULLETIN_DATA_DIR: join(temp.dir, 'app-data'), LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 90_000,
      });
    // Every module the commands load lazily (serve's, the worker's), not only the entry point;
    // the worker-thread entries run only inside their threads.
    const loadAll = `
      import { readdirSync } from 'node:fs';
      const files = ['src'].flatMap((dir) =>
        readdirSync('build/' + dir, { recursive: true }).map((f) => 'build/' + dir + '/' + f))
        .filter((f) => f.endsWith('.js') && !/(thread-main|thread-entry)\\.js$/.test(f));
      for (const f of files) await import('./' + f);
      console.log(files.length);
    `;
    const loaded = node(['--input-type=module', '-e', loadAll]);
    expect(loaded.stderr).toBe('');
    expect(Number(loaded.stdout)).toBeGreaterThan(80);
    // A real command through the templates and fonts: every edition of an issue.
    const out = join(temp.dir, 'app-out');
    const built = node(['bin/bulletin.js', 'build', 'issues/global-eye/005.md', '--out', out]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    for (const file of ['email.html', 'email.txt', 'index.html'])
      expect(existsSync(join(out, 'global-eye', '005', file)), file).toBe(true);
    expect(readdirSync(join(out, 'global-eye', '005')).some((f) => f.endsWith('.pdf'))).toBe(true);
  });
});
