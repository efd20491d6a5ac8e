// A real IMAP server (Dovecot, apt: dovecot-imapd) for one test file: its own config, mail and
// runtime dirs in a temp dir, plain IMAP on a free loopback port, one user. Under root, Dovecot's
// unprivileged users (dovecot, dovenull) run its processes and own the mail.
//
//   const imap = await startDovecot();   // imap.port, imap.user, imap.password
//   await imap.stop();

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDataDir } from './data-dir.ts';
import { freePort } from './ports.ts';

export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

const id = (flag: string, user: string) =>
  Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDovecot(): Promise<DovecotServer> {
  const tmp = tempDataDir();
  const root = process.getuid?.() === 0;
  const internal = root ? 'dovecot' : userInfo().username;
  const login = root ? 'dovenull' : userInfo().username;
  const [uid, gid] = [id('-u', internal), id('-g', internal)];
  const port = await freePort();
  const password = 'list-password';
  chmodSync(tmp.dir, 0o711); // Dovecot's own users must reach the passwd file and the mail
  for (const dir of ['run', 'state', 'mail']) mkdirSync(join(tmp.dir, dir));
  chownSync(join(tmp.dir, 'mail'), uid, gid);
  writeFileSync(
    join(tmp.dir, 'passwd'),
    `list:{PLAIN}${password}:${uid}:${gid}::${join(tmp.dir, 'mail', 'list')}\n`,
  );
  const config = join(tmp.dir, 'dovecot.conf');
  writeFileSync(
    config,
    `
base_dir = ${join(tmp.dir, 'run')}
state_dir = ${join(tmp.dir, 'state')}
log_path = ${join(tmp.dir, 'dovecot.log')}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internal}
default_login_user = ${login}
first_valid_uid = ${uid}
last_valid_uid = ${uid}
passdb {
  driver = passwd-file
  args = ${join(tmp.dir, 'passwd')}
}
userdb {
  driver = passwd-file
  args = ${join(tmp.dir, 'passwd')}
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const child: ChildProcess = spawn('dovecot', ['-F', '-c', config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => {});
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    if (await answers(port)) {
      return {
        host: '127.0.0.1',
        port,
        user: 'list',
        password,
        async stop() {
          child.kill('SIGTERM');
          await exited;
          tmp.remove();
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  let log = '';
  try {
    log = readFileSync(join(tmp.dir, 'dovecot.log'), 'utf8');
  } catch {}
  tmp.remove();
  throw new Error(`Dovecot did not start (apt-get install dovecot-imapd). Log:\n${log}`);
}
