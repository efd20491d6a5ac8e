// Floods, over real SMTP on loopback, bounded in count and time; prints what it measured.
//
// 1. 1,000 forged subscribe requests naming one victim. The per-IP and per-sender limits are raised
//    so that every request reaches the list (as from a botnet): the cap per address alone must
//    hold, and the victim receives one confirmation.
// 2. One IP opens 40 connections and sends NOOPs; a subscriber from another IP (127.0.0.2) is
//    still served.

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundHandler } from '../../src/inbound/handler.ts';
import { createListSmtpServer, type ListSmtpServer } from '../../src/inbound/smtp.ts';
import { type ListFixture, listFixture, message } from '../support/list-fixture.ts';
import { type SmtpClient, smtpConnect } from '../support/smtp-client.ts';

const FORGED = 1000;
const CONNECTIONS = 4;
const FLOOD_CONNECTIONS = 40;
const SUBSCRIBE = 'globaleye-subscribe@example.org';

let f: ListFixture;
let server: ListSmtpServer;
let port: number;
beforeAll(async () => {
  f = await listFixture();
  server = createListSmtpServer(createInboundHandler(f), {
    limits: { perIpPerHour: 10 * FORGED, perSenderPerHour: 10 * FORGED },
    log: pino({ level: 'silent' }),
  });
  port = await server.listen(0, '127.0.0.1');
});
afterAll(() => server.close());

const subscribeRequest = (from: string, envelopeFrom: string) => ({
  from: envelopeFrom,
  to: [SUBSCRIBE],
  data: message({ From: from, To: SUBSCRIBE, Subject: 'subscribe' }).toString('latin1'),
});
const mailTo = (address: string) => f.sent.filter((m) => m.to.toLowerCase() === address);

describe('flood', () => {
  it(`${FORGED} forged subscribe requests naming one victim: the victim gets one confirmation`, async () => {
    const started = Date.now();
    const codes = new Map<number, number>();
    const clients: SmtpClient[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const client = await smtpConnect(port, { timeoutMs: 120_000 });
      await client.command('EHLO flood.example');
      clients.push(client);
    }
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < FORGED) {
          const i = next++;
          // Every request in another spelling of the victim's address, from another forged sender.
          const victim = i % 2 ? 'Victim@Example.org' : 'victim@example.org';
          const reply = await client.send(subscribeRequest(victim, `forger${i}@example.net`));
          codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
        }
        await client.command('QUIT');
        client.close();
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const confirmations = mailTo('victim@example.org').length;
    console.log(
      `flood: ${FORGED} forged subscribe requests sent over SMTP in ${seconds.toFixed(1)} s ` +
        `(${[...codes].map(([code, n]) => `${n}× ${code}`).join(', ')}); ` +
        `confirmation mails the victim received: ${confirmations}`,
    );
    expect(codes.get(250)).toBe(FORGED);
    expect(confirmations).toBe(1);
    expect(f.sent.filter((m) => m.to.endsWith('@example.net'))).toEqual([]);
  }, 300_000);

  it(`one IP opening ${FLOOD_CONNECTIONS} connections and sending NOOPs: a subscriber elsewhere is still served`, async () => {
    const flood = await Promise.all(
      Array.from({ length: FLOOD_CONNECTIONS }, () => smtpConnect(port, { timeoutMs: 60_000 })),
    );
    try {
      const held = flood.filter((c) => c.greeting.code === 220);
      const refused = flood.filter((c) => c.greeting.code === 421).length;
      for (let round = 0; round < 5; round++) await Promise.all(held.map((c) => c.command('NOOP')));
      const started = Date.now();
      const client = await smtpConnect(port, { from: '127.0.0.2' });
      await client.command('EHLO reader.example');
      const reply = await client.send(subscribeRequest('reader@example.org', 'reader@example.org'));
      client.close();
      const confirmations = mailTo('reader@example.org').length;
      console.log(
        `flood: ${FLOOD_CONNECTIONS} connections from one IP: ${held.length} held, ${refused} refused with 421; ` +
          `a subscribe from another IP during the flood: ${reply.code} in ${Date.now() - started} ms, ` +
          `confirmation mails: ${confirmations}`,
      );
      expect(held.length).toBeLessThanOrEqual(4);
      expect(refused).toBe(FLOOD_CONNECTIONS - held.length);
      expect(reply.code).toBe(250);
      expect(confirmations).toBe(1);
    } finally {
      for (const c of flood) c.close();
    }
  }, 120_000);
});
