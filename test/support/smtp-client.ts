// A bare SMTP client for tests that need what nodemailer will not do: envelopes without DATA,
// NOOPs, holding a connection open, connecting from another loopback address (127.0.0.2).
//
//   const c = await smtpConnect(port, { from: '127.0.0.2' });
//   expect((await c.command('EHLO test')).code).toBe(250);
//   await c.send({ from: 'a@example.org', to: ['list@example.org'], data: 'Subject: x\r\n\r\nHi' });
//   c.close();

import { connect, type Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  text: string;
}

export interface SmtpClient {
  /** The greeting (220, or 421 when the server refused the connection). */
  greeting: SmtpReply;
  command(line: string): Promise<SmtpReply>;
  /** MAIL, RCPT for each, DATA: the reply to the end of data, or the first refusal. */
  send(message: { from: string; to: string[]; data: string }): Promise<SmtpReply>;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
  close(): void;
}

export function smtpConnect(
  port: number,
  options: { from?: string; timeoutMs?: number } = {},
): Promise<SmtpClient> {
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: options.from ?? '127.0.0.1' });
  socket.setTimeout(options.timeoutMs ?? 15_000, () => socket.destroy());
  let buffer = '';
  const waiting: ((reply: SmtpReply) => void)[] = [];
  const replies: SmtpReply[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let ended = false;
  socket.on('error', () => {});
  socket.on('close', () => {
    ended = true;
    for (const wake of waiting.splice(0)) wake({ code: 0, text: 'connection closed' });
  });
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      // A reply ends with a line "NNN text" (a space, not a hyphen, after the code).
      const end = /^(\d{3}) [^\r\n]*\r?\n/m.exec(buffer);
      if (!end) return;
      const text = buffer.slice(0, end.index + end[0].length);
      buffer = buffer.slice(end.index + end[0].length);
      const reply = { code: Number(end[1]), text: text.trim() };
      const wake = waiting.shift();
      if (wake) wake(reply);
      else replies.push(reply);
    }
  });
  const next = () =>
    new Promise<SmtpReply>((resolve) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      if (ended) return resolve({ code: 0, text: 'connection closed' });
      waiting.push(resolve);
    });
  const command = (line: string) => {
    if (!ended) socket.write(`${line}\r\n`);
    return next();
  };
  return next().then((greeting) => ({
    greeting,
    command,
    async send({ from, to, data }) {
      const mail = await command(`MAIL FROM:<${from}>`);
      if (mail.code !== 250) return mail;
      let accepted = 0;
      let refusal: SmtpReply | undefined;
      for (const rcpt of to) {
        const reply = await command(`RCPT TO:<${rcpt}>`);
        if (reply.code === 250) accepted++;
        else refusal ??= reply;
      }
      if (!accepted) return refusal as SmtpReply;
      const go = await command('DATA');
      if (go.code !== 354) return go;
      const body = data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
      return command(`${body}\r\n.`);
    },
    closed,
    close: () => socket.destroy(),
  }));
}
