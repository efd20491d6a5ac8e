// The process's metrics as the floors above count them: campaigns are labels (a bounded number of
// them), outcomes and kinds add up, and the text format carries them.

import { describe, expect, it } from 'vitest';
import { countInbound, countMessage, metricsText, metricValue } from '../src/metrics.ts';

describe('messages per campaign', () => {
  it('adds up by campaign and outcome', async () => {
    for (let i = 0; i < 3; i++) countMessage('unit/001', 'sent');
    countMessage('unit/001', 'deferred');
    expect(await metricValue('bulletin_messages_total', { campaign: 'unit/001', outcome: 'sent' })).toBe(3);
    expect(await metricValue('bulletin_messages_total', { campaign: 'unit/001', outcome: 'deferred' })).toBe(
      1,
    );
    expect(await metricValue('bulletin_messages_total', { campaign: 'unit/001' })).toBe(4);
    expect(await metricsText()).toContain('bulletin_messages_total{campaign="unit/001",outcome="sent"} 3');
  });

  it('keeps the 20 latest campaigns a process has seen: the series stay few', async () => {
    for (let n = 100; n < 125; n++) countMessage(`bound/${n}`, 'sent');
    const text = await metricsText();
    const campaigns = new Set(
      [...text.matchAll(/bulletin_messages_total\{campaign="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(campaigns.size).toBe(20);
    expect(campaigns.has('bound/124')).toBe(true);
    expect(campaigns.has('bound/104')).toBe(false);
    expect(campaigns.has('unit/001')).toBe(false);
  });
});

describe('inbound mail', () => {
  it('counts by kind', async () => {
    const before = await metricValue('bulletin_inbound_messages_total', { kind: 'bounce' });
    countInbound('bounce');
    countInbound('bounce');
    expect(await metricValue('bulletin_inbound_messages_total', { kind: 'bounce' })).toBe(before + 2);
  });
});
