import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emailHashOf, type SubscriptionId } from '../../../../shared/domain/subscription.js';
import { TooManyRequestsError } from '../../../../shared/errors.js';
import {
  changeSubscription,
  confirm,
  showSubscription,
  subscribe,
  unsubscribe,
} from '../../../../shared/subscriptions/subscriptions.js';
import {
  linkToken,
  savedSearch,
  secret,
  startAlertsHarness,
  type AlertsHarness,
} from '../../../support/alerts-harness.js';

describe('subscriptions', () => {
  let h: AlertsHarness;
  beforeEach(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
  });
  afterEach(async () => {
    await h.stop();
  });

  const idOf = async (email: string): Promise<SubscriptionId> => {
    const found = await h.subscriptions.findByEmailHash(emailHashOf(email, secret));
    if (!found) throw new Error(`no subscription for ${email}`);
    return found.id;
  };
  const request = (email: string, text = '半導体') => ({
    email,
    searches: [savedSearch(text)],
    frequency: 'daily' as const,
    reminderDays: [14, 3],
  });

  it('treats a new, a pending and an active address alike: one confirmation mail each time, nothing else', async () => {
    await h.subscribeConfirmed('active@example.jp', [savedSearch('量子')]);
    h.confirmations.sent.length = 0;

    const results = [
      await subscribe(h.subscriptionDeps, request('new@example.jp'), 'c1'),
      await subscribe(h.subscriptionDeps, request('new@example.jp'), 'c1'),
      await subscribe(h.subscriptionDeps, request('active@example.jp'), 'c1'),
    ];

    expect(results).toEqual([undefined, undefined, undefined]);
    expect(h.confirmations.sent.map((m) => [m.to, m.subject])).toEqual([
      ['new@example.jp', '【地域科学技術ポータル】メール配信の確認をお願いします'],
      ['new@example.jp', '【地域科学技術ポータル】メール配信の確認をお願いします'],
      ['active@example.jp', '【地域科学技術ポータル】メール配信の確認をお願いします'],
    ]);
  });

  it('adds searches to an active subscription only when the address confirms', async () => {
    await h.subscribeConfirmed('grow@example.jp', [savedSearch('量子')]);
    await subscribe(h.subscriptionDeps, request('grow@example.jp', '半導体'), 'c1');
    const manageToken = h.subscriptionDeps.tokens.sign(
      { subscriptionId: await idOf('grow@example.jp'), purpose: 'manage' },
      h.clock.now(),
    );
    const confirmation = h.confirmations.sent.at(-1);
    if (!confirmation) throw new Error('no confirmation mail');

    const before = await showSubscription(h.subscriptionDeps, manageToken);
    await confirm(h.subscriptionDeps, linkToken(confirmation, 'confirm'));
    const after = await showSubscription(h.subscriptionDeps, manageToken);

    expect(before.searches.map((s) => s.label)).toEqual(['量子']);
    expect(after.searches.map((s) => s.label)).toEqual(['量子', '半導体']);
    expect(after.frequency).toBe('daily');
  });

  it('lets the manage link replace searches and frequency, and refuses it after unsubscribe', async () => {
    await h.subscribeConfirmed('edit@example.jp', [savedSearch('量子')]);
    const id = await idOf('edit@example.jp');
    const manage = h.subscriptionDeps.tokens.sign({ subscriptionId: id, purpose: 'manage' }, h.clock.now());
    const unsub = h.subscriptionDeps.tokens.sign({ subscriptionId: id, purpose: 'unsubscribe' }, h.clock.now());

    const changed = await changeSubscription(h.subscriptionDeps, manage, {
      searches: [savedSearch('水素'), savedSearch('蓄電池')],
      frequency: 'weekly',
    });
    await unsubscribe(h.subscriptionDeps, unsub);
    await unsubscribe(h.subscriptionDeps, unsub);

    expect(changed.searches.map((s) => s.label)).toEqual(['水素', '蓄電池']);
    expect(changed.frequency).toBe('weekly');
    await expect(changeSubscription(h.subscriptionDeps, manage, { frequency: 'daily' })).rejects.toThrow(
      /unsubscribed/,
    );
  });

  it('limits requests per address and per client with a retry time', async () => {
    const deps = { ...h.subscriptionDeps, rateLimits: { perAddress: 2, perClient: 3, windowSec: 3600 } };

    await subscribe(deps, request('limit@example.jp'), 'client-a');
    await subscribe(deps, request('limit@example.jp'), 'client-a');
    const perAddress = await subscribe(deps, request('limit@example.jp'), 'client-b').catch((e: unknown) => e);
    const perClient = await subscribe(deps, request('other@example.jp'), 'client-a').catch((e: unknown) => e);
    const clientAgain = await subscribe(deps, request('third@example.jp'), 'client-a').catch((e: unknown) => e);

    expect(perAddress).toBeInstanceOf(TooManyRequestsError);
    expect(perClient).toBeUndefined();
    expect(clientAgain).toBeInstanceOf(TooManyRequestsError);
    expect((clientAgain as TooManyRequestsError).retryAfterSec).toBeGreaterThan(0);
  });

  it('counts a+1@, A@ and a@ as one address', async () => {
    const deps = { ...h.subscriptionDeps, rateLimits: { perAddress: 2, perClient: 100, windowSec: 3600 } };

    await subscribe(deps, request('taro@example.jp'), 'client-a');
    await subscribe(deps, request('Taro+1@example.jp'), 'client-b');
    const tagged = await subscribe(deps, request('taro+2@Example.JP'), 'client-c').catch((e: unknown) => e);
    const upper = await subscribe(deps, request('TARO@example.jp'), 'client-d').catch((e: unknown) => e);
    const other = await subscribe(deps, request('hanako@example.jp'), 'client-e').catch((e: unknown) => e);

    expect(tagged).toBeInstanceOf(TooManyRequestsError);
    expect(upper).toBeInstanceOf(TooManyRequestsError);
    expect(other).toBeUndefined();
    expect(h.confirmations.sent).toHaveLength(3);
  });

  it('answers both limits with the same message', async () => {
    const deps = { ...h.subscriptionDeps, rateLimits: { perAddress: 1, perClient: 2, windowSec: 3600 } };
    await subscribe(deps, request('known@example.jp'), 'client-a');
    await subscribe(deps, request('fresh@example.jp'), 'client-a');

    const byAddress = await subscribe(deps, request('known@example.jp'), 'client-b').catch((e: unknown) => e);
    const byClient = await subscribe(deps, request('unknown@example.jp'), 'client-a').catch((e: unknown) => e);

    expect(byAddress).toBeInstanceOf(TooManyRequestsError);
    expect(byClient).toBeInstanceOf(TooManyRequestsError);
    expect((byAddress as Error).message).toBe((byClient as Error).message);
    expect((byAddress as Error).message).not.toMatch(/address|client/);
  });

  it('refuses twice the limit across a clock-hour boundary', async () => {
    const deps = { ...h.subscriptionDeps, rateLimits: { perAddress: 3, perClient: 100, windowSec: 3600 } };
    h.clock.set('2025-05-10T09:59:00Z');

    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await subscribe(deps, request('edge@example.jp'), `client-${i}`).catch((e: unknown) => e);
      outcomes.push(result instanceof TooManyRequestsError ? `429 after ${result.retryAfterSec}s` : 'sent');
      h.clock.advanceMs(30_000);
    }

    expect(outcomes).toEqual(['sent', 'sent', 'sent', '429 after 3510s', '429 after 3480s', '429 after 3450s']);
  });

  it('shows a saved search in the confirmation mail as a short keyword label, never its text or links', async () => {
    const lure = '重要：こちらのリンクからパスワードを再設定してください https://evil.example';

    await subscribe(h.subscriptionDeps, request('target@example.jp', lure), 'c1');

    const mail = h.confirmations.sent.at(-1);
    expect(mail?.text).toContain('・キーワード「重要 こちらのリンクからパスワードを再設…」／条件: すべての公募');
    expect(`${mail?.text ?? ''}${String(mail?.html)}`).not.toMatch(/evil|再設定してください|パスワードを再設定/);
    expect(mail?.text.match(/https?:\/\/\S+/g)).toHaveLength(1);
  });

  it('never writes an address to the log', async () => {
    await h.subscribeConfirmed('private.person@example.jp', [savedSearch('量子')]);

    expect(JSON.stringify(h.log.entries)).not.toContain('private.person');
  });
});
