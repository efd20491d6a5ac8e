import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../src/inbound/bounces.ts';

const dsn = (...recipients: string[]) =>
  ['Reporting-MTA: dns; mx.example.org', '', ...recipients].join('\r\n');

describe('classifyBounce (RFC 3464)', () => {
  it('a permanent failure is hard', () => {
    expect(
      classifyBounce(
        dsn(
          'Final-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n user unknown',
        ),
      ),
    ).toEqual({
      kind: 'hard',
      status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 user unknown',
    });
  });

  it('a temporary failure or a delay is soft', () => {
    expect(classifyBounce(dsn('Action: failed\r\nStatus: 4.2.2'))).toMatchObject({
      kind: 'soft',
      status: '4.2.2',
    });
    expect(classifyBounce(dsn('Action: delayed\r\nStatus: 4.4.7'))).toMatchObject({ kind: 'soft' });
  });

  it('a bounce without a delivery-status part is soft', () => {
    expect(classifyBounce(undefined)).toEqual({ kind: 'soft' });
    expect(classifyBounce('This is the mail system at host mx.example.org. I am sorry…')).toEqual({
      kind: 'soft',
    });
  });

  it('a report of success (delivered, relayed, expanded) or without an action is no bounce', () => {
    for (const action of ['delivered', 'relayed', 'expanded'])
      expect(classifyBounce(dsn(`Action: ${action}\r\nStatus: 2.0.0`))).toBeUndefined();
    expect(classifyBounce(dsn('Final-Recipient: rfc822; a@example.org\r\nStatus: 5.1.1'))).toBeUndefined();
  });

  it('with several recipients the worst counts; delivered ones are ignored', () => {
    expect(
      classifyBounce(dsn('Action: delivered\r\nStatus: 2.0.0', '', 'Action: failed\r\nStatus: 5.7.1')),
    ).toMatchObject({ kind: 'hard' });
  });
});
