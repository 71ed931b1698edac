import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySesEvent, type SesEventDeps } from '../../../../functions/alerts/ses-events.js';
import { emailHashOf } from '../../../../shared/domain/subscription.js';
import { subscribe } from '../../../../shared/subscriptions/subscriptions.js';
import { savedSearch, secret, startAlertsHarness, type AlertsHarness } from '../../../support/alerts-harness.js';
import { makeDraft } from '../../../support/factories.js';

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(new URL(`../../../fixtures/events/${name}.json`, import.meta.url), 'utf8'));

describe('applySesEvent', () => {
  let h: AlertsHarness;
  let deps: SesEventDeps;
  beforeEach(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
    deps = { subscriptions: h.subscriptions, hashSecret: secret, clock: h.clock, log: h.log };
  });
  afterEach(async () => {
    await h.stop();
  });

  it('suppresses a permanently bounced address: no digest and no further confirmation mail', async () => {
    await h.subscribeConfirmed('bounce@simulator.amazonses.com', [savedSearch('半導体')]);

    const suppressed = await applySesEvent(deps, await fixture('ses-bounce-permanent'));
    h.clock.advanceMs(2 * 60 * 60 * 1000);
    await h.crawl([makeDraft({ title: '半導体の公募' })]);
    const report = await h.digest();
    await subscribe(
      h.subscriptionDeps,
      {
        email: 'bounce@simulator.amazonses.com',
        searches: [savedSearch('量子')],
        frequency: 'daily',
        reminderDays: [3],
      },
      '198.51.100.7',
    );

    expect(suppressed).toBe(1);
    expect(report.sent).toBe(0);
    expect(h.digests.sent).toHaveLength(0);
    expect(h.confirmations.sent).toHaveLength(1);
    const hash = emailHashOf('bounce@simulator.amazonses.com', secret);
    expect((await h.subscriptions.findByEmailHash(hash))?.status).toBe('suppressed');
  });

  it('suppresses a complaining address even before it subscribed', async () => {
    await applySesEvent(deps, await fixture('ses-complaint'));

    expect(await h.subscriptions.isSuppressed(emailHashOf('complaint@simulator.amazonses.com', secret))).toBe(true);
  });

  it('leaves an address with a transient bounce alone', async () => {
    const suppressed = await applySesEvent(deps, await fixture('ses-bounce-transient'));

    expect(suppressed).toBe(0);
    expect(await h.subscriptions.isSuppressed(emailHashOf('full@example.jp', secret))).toBe(false);
  });

  it('never logs the address', async () => {
    await applySesEvent(deps, await fixture('ses-bounce-permanent'));

    expect(JSON.stringify(h.log.entries)).not.toContain('simulator.amazonses.com');
  });
});
