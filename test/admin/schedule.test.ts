// Scheduled campaigns in the admin over real HTTP, PostgreSQL and Redis: their time in the list and
// on their page, and a publisher moving or cancelling one through the functions `bulletin schedule`
// uses, checked in the campaign's row and in the schedule queue's delayed jobs.

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsSection } from '../../src/admin/campaigns.ts';
import { scheduleCampaign } from '../../src/campaigns/schedule.ts';
import { type Campaign, getCampaign } from '../../src/campaigns/store.ts';
import { openQueueConnection, SCHEDULE_QUEUE } from '../../src/queue/index.ts';
import { openScheduleQueue, type ScheduleQueue, wakeJobId } from '../../src/queue/schedule-queue.ts';
import { type AdminClient, signIn } from '../support/admin.ts';
import { campaignOf } from '../support/campaigns.ts';
import { type AdminFixture, EDITOR, PUBLISHER, startAdmin } from './fixture.ts';

let admin: AdminFixture;
let redis: Redis;
let schedule: ScheduleQueue;
let jobs: Queue;
let editor: AdminClient;
let publisher: AdminClient;

beforeAll(async () => {
  admin = await startAdmin({ sections: (deps) => [campaignsSection(deps)] });
  redis = await openQueueConnection(admin.connection, admin.log);
  schedule = openScheduleQueue(redis);
  jobs = new Queue(SCHEDULE_QUEUE, { connection: admin.connection });
  editor = await signIn(admin.base, EDITOR.name, EDITOR.password);
  publisher = await signIn(admin.base, PUBLISHER.name, PUBLISHER.password);
}, 60_000);

afterAll(async () => {
  await jobs?.close();
  await schedule?.close();
  redis?.disconnect();
  await admin?.stop();
});

/** 2030-06-01 09:00 in Zurich (07:00 UTC, summer time), sent only between 08:00 and 18:00 there. */
const AT = new Date('2030-06-01T07:00:00Z');

/** Issue `n` scheduled the way `publish --at … --tz Europe/Zurich --window 08:00-18:00` does. */
async function scheduled(n: number): Promise<Campaign> {
  const { campaign } = await scheduleCampaign(
    { db: admin.db, schedule },
    { ...campaignOf(n, 10), window: { startMinute: 480, endMinute: 1080, timeZone: 'Europe/Zurich' } },
    [],
    { at: AT, timeZone: 'Europe/Zurich', now: new Date() },
  );
  return campaign;
}

const page = (c: Campaign) => `/admin/campaigns/${c.id}`;
const row = async (c: Campaign) => getCampaign(admin.db, c.id);
const job = (c: Campaign, at: Date) => jobs.getJob(wakeJobId({ campaignId: c.id, at }));

describe('a scheduled campaign', () => {
  let campaign: Campaign;
  beforeAll(async () => {
    campaign = await scheduled(21);
  });

  it('shows its local time, zone, UTC time and window in the list and on its page', async () => {
    const list = await editor.get('/admin/campaigns');
    expect(list.body).toContain(
      'scheduled <small>for <time datetime="2030-06-01T07:00:00.000Z">2030-06-01 09:00 Europe/Zurich</time> (07:00 UTC), sent between 08:00-18:00 Europe/Zurich</small>',
    );
    const view = await editor.get(page(campaign));
    expect(view.body).toContain(
      '<dt>Scheduled for</dt><dd><time datetime="2030-06-01T07:00:00.000Z">2030-06-01 09:00 Europe/Zurich</time> (07:00 UTC)</dd>',
    );
    expect(view.body).toContain('<dt>Sending window</dt><dd>between 08:00-18:00 Europe/Zurich</dd>');
  });

  it('shows an editor no form, and refuses an editor’s move (403)', async () => {
    const view = await editor.get(page(campaign));
    expect(view.body).not.toContain(`action="${page(campaign)}/move"`);
    expect(view.body).toContain('Only a publisher can pause, resume, cancel, move or resend a campaign.');
    const refused = await editor.post(
      `${page(campaign)}/move`,
      { at: '2030-07-01T10:00', timeZone: 'Europe/Zurich' },
      view.body,
    );
    expect(refused.status).toBe(403);
    expect((await row(campaign))?.scheduledAt).toEqual(AT);
    const cancel = await editor.post(`${page(campaign)}/cancel`, {}, view.body);
    expect(cancel.status).toBe(403);
    expect((await row(campaign))?.status).toBe('scheduled');
  });

  it('refuses a publisher’s move without the form’s CSRF token (403)', async () => {
    const refused = await publisher.post(`${page(campaign)}/move`, {
      at: '2030-07-01T10:00',
      timeZone: 'Europe/Zurich',
    });
    expect(refused.status).toBe(403);
    expect((await row(campaign))?.scheduledAt).toEqual(AT);
  });

  it('refuses a time gone by, a day that does not exist and an unknown zone, saying why, changing nothing', async () => {
    const view = await publisher.get(page(campaign));
    expect(view.body).toContain(`action="${page(campaign)}/move"`);
    expect(view.body).toContain('name="at" value="2030-06-01T09:00"');
    // The catalogue's one line, escaped as every text of a page is.
    const cases = [
      [
        { at: '2020-01-01T09:00', timeZone: 'Europe/Zurich' },
        /2020-01-01 09:00 Europe\/Zurich has passed \(it is \d{4}-\d\d-\d\d \d\d:\d\d there now\)\./,
      ],
      [
        { at: '2030-02-30T09:00', timeZone: 'Europe/Zurich' },
        /&quot;2030-02-30T09:00&quot; is not a date and time\./,
      ],
      [
        { at: '2030-07-01T09:00', timeZone: 'Europe/Geneva' },
        /&quot;Europe\/Geneva&quot; is not a time zone\./,
      ],
    ] as const;
    for (const [fields, message] of cases) {
      const refused = await publisher.post(`${page(campaign)}/move`, fields, view.body);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatch(message);
      expect(refused.body).toContain(`value="${fields.at}"`); // what was typed, to correct
      expect((await row(campaign))?.scheduledAt).toEqual(AT);
      expect(await job(campaign, AT)).toBeDefined();
    }
    const empty = await publisher.post(`${page(campaign)}/move`, {}, view.body);
    expect(empty.status).toBe(400);
    expect((await row(campaign))?.scheduledAt).toEqual(AT);
  });

  it('is moved by a publisher: a new time and zone in its row, its wake-up job moved with it', async () => {
    expect(await job(campaign, AT)).toBeDefined();
    const view = await publisher.get(page(campaign));
    const moved = await publisher.post(
      `${page(campaign)}/move`,
      { at: '2030-07-01T10:30', timeZone: 'America/New_York' },
      view.body,
    );
    expect([moved.status, moved.location]).toEqual([303, page(campaign)]);
    const later = new Date('2030-07-01T14:30:00Z'); // New York is 4 hours behind UTC in summer
    const now = await row(campaign);
    expect([now?.status, now?.scheduledAt, now?.timeZone]).toEqual(['scheduled', later, 'America/New_York']);
    const wake = await job(campaign, later);
    expect(await wake?.isDelayed()).toBe(true);
    expect(wake?.data).toEqual({ campaignId: campaign.id });
    expect(await job(campaign, AT)).toBeUndefined();
    const after = await publisher.get(page(campaign));
    expect(after.body).toContain('Campaign global-eye/021 moved to 2030-07-01 10:30 America/New_York.');
    expect(after.body).toContain('2030-07-01 10:30 America/New_York</time> (14:30 UTC)');
  });

  it('is cancelled by a publisher: status cancelled, its wake-up job gone', async () => {
    const { scheduledAt } = (await row(campaign)) as Campaign;
    const view = await publisher.get(page(campaign));
    const cancelled = await publisher.post(`${page(campaign)}/cancel`, {}, view.body);
    expect(cancelled.status).toBe(303);
    expect((await row(campaign))?.status).toBe('cancelled');
    expect(await job(campaign, scheduledAt as Date)).toBeUndefined();
    const after = await publisher.get(page(campaign));
    expect(after.body).toContain('cancelled before its time: nothing was sent');
    expect(after.body).not.toContain(`action="${page(campaign)}/move"`);

    // Moving it now says what it is, and changes nothing.
    const late = await publisher.post(
      `${page(campaign)}/move`,
      { at: '2030-08-01T09:00', timeZone: 'UTC' },
      after.body,
    );
    expect(late.status).toBe(409);
    expect(late.body).toContain(`Campaign ${campaign.id} is cancelled, not scheduled.`);
    expect((await row(campaign))?.status).toBe('cancelled');
  });
});
