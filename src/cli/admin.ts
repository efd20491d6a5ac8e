import { type Command, Option } from 'commander';
import { fail } from '../problems.ts';
import { type CliContext, withStore } from './context.ts';

const ROLE_NAMES = ['editor', 'publisher'] as const;

/** `bulletin admin add-user|list-users|remove-user`: the accounts of the web admin. */
export function registerAdmin(program: Command, context: CliContext): void {
  const admin = program
    .command('admin')
    .description('accounts of the web admin (/admin): editors prepare and proof, publishers also send');

  admin
    .command('add-user')
    .description('create an account; the password is asked for (or read from stdin), never an argument')
    .argument('<name>', 'account name (case-blind): letters, digits, . _ @ -')
    .addOption(new Option('--role <role>', 'what the account may do').choices(ROLE_NAMES).default('editor'))
    .option('--password-stdin', 'read the password from the first line of stdin (scripts)')
    .action(async (name: string, options: { role: (typeof ROLE_NAMES)[number]; passwordStdin?: boolean }) => {
      const { role } = options;
      const password = options.passwordStdin
        ? await firstLine(process.stdin)
        : process.stdin.isTTY
          ? await askTwice(name)
          : undefined;
      if (!password) fail('admin-password-missing');
      const config = context.config();
      const { addAccount } = await import('../admin/accounts.ts');
      await withStore(config, async (db) => {
        const account = await addAccount(
          db,
          { name, role, password },
          config.adminPassword ? { name: config.adminUser } : undefined,
        );
        context.stdout.write(`Account ${account.name} (${account.role}) created: sign in at /admin/login.\n`);
      });
    });

  admin
    .command('list-users')
    .description('the accounts, with their roles (and the environment’s BULLETIN_ADMIN_USER when set)')
    .action(async () => {
      const config = context.config();
      const { listAccounts } = await import('../admin/accounts.ts');
      await withStore(config, async (db) => {
        const accounts = await listAccounts(db);
        const rows = accounts.map((a) => [
          a.name,
          a.role,
          `created ${a.createdAt.toISOString().slice(0, 16)}Z`,
        ]);
        if (config.adminPassword)
          rows.unshift([config.adminUser.toLowerCase(), 'publisher', 'from the environment']);
        if (!rows.length) {
          context.stdout.write(
            'No accounts yet: `bulletin admin add-user <name> --role publisher` creates one.\n',
          );
          return;
        }
        const width = Math.max(...rows.map((r) => (r[0] as string).length));
        for (const [who, role, note] of rows)
          context.stdout.write(`${(who as string).padEnd(width)}  ${(role as string).padEnd(9)}  ${note}\n`);
      });
    });

  admin
    .command('remove-user')
    .description('delete an account and end its sessions at once')
    .argument('<name>', 'account name')
    .action(async (name: string) => {
      const { removeAccount } = await import('../admin/accounts.ts');
      await withStore(context.config(), async (db) => {
        await removeAccount(db, name);
        context.stdout.write(`Account ${name.toLowerCase()} removed; its sessions are ended.\n`);
      });
    });
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > 4096) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').slice(0, 4096);
}

/** Asks on the terminal without echo, twice, so a typo does not lock the account's owner out. */
async function askTwice(name: string): Promise<string | undefined> {
  const first = await askHidden(`Password for ${name}: `);
  const again = await askHidden('Again: ');
  if (first !== again) fail('admin-password-mismatch');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
