import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mute } from '../../../../shared/subscriptions/subscriptions.js';
import { simpleParser } from 'mailparser';
import { claimLeaseMs } from '../../../../functions/alerts/digest.js';
import { isOutboxTemp, OutboxMailer, type OutboxStep } from '../../../../shared/mail/outbox-mailer.js';
import type { Subscription } from '../../../../shared/domain/subscription.js';
import type { SubscriptionStore } from '../../../../shared/store/subscription-store.js';
import { linkToken, savedSearch, startAlertsHarness, type AlertsHarness } from '../../../support/alerts-harness.js';
import { makeDraft } from '../../../support/factories.js';

const hour = 60 * 60 * 1000;
const day = 24 * hour;

const semiconductor = makeDraft({
  canonicalUrl: 'https://www.mext.go.jp/koubo/semi-1.html',
  url: 'https://www.mext.go.jp/koubo/semi-1.html',
  title: '次世代半導体研究開発プログラムの公募',
  opensAt: '2025-05-01T00:00:00+09:00',
  closesAt: '2025-06-30T17:00:00+09:00',
  requiresRegistration: undefined,
});
const semiconductor2 = makeDraft({
  canonicalUrl: 'https://www.jst.go.jp/koubo/semi-2.html',
  url: 'https://www.jst.go.jp/koubo/semi-2.html',
  title: '半導体人材育成拠点の公募',
  publisher: '科学技術振興機構',
  closesAt: '2025-07-15T12:00:00+09:00',
  requiresRegistration: undefined,
});
const quantum = makeDraft({
  canonicalUrl: 'https://www.mext.go.jp/koubo/quantum-1.html',
  url: 'https://www.mext.go.jp/koubo/quantum-1.html',
  title: '量子技術イノベーション拠点の公募',
  closesAt: '2025-07-31T17:00:00+09:00',
  requiresRegistration: undefined,
});

const theme = makeDraft({
  kind: 'theme',
  canonicalUrl: 'https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-25K00501/',
  url: 'https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-25K00501/',
  title: '次世代半導体の結晶欠陥を評価する手法の研究',
  publisher: '国立情報学研究所 KAKEN',
  ministry: 'jsps',
  opensAt: '2025-04-01T00:00:00+09:00',
  closesAt: '2025-05-31T23:59:59+09:00',
  requiresRegistration: undefined,
  sourceId: 'kaken-themes',
});

/** A saved search for `q` restricted to kinds, as the API builds it from `q=…&kind=…`. */
function savedSearchOfKinds(text: string, kinds: ('call' | 'theme' | 'news')[]) {
  const base = savedSearch(text);
  return {
    params: `${base.params}&${kinds.map((k) => `kind=${k}`).join('&')}`,
    label: text,
    query: { text, kinds },
  };
}

/** The (first) subscription that holds a digest intent. */
async function claimedSubscription(h: AlertsHarness): Promise<Subscription | undefined> {
  for (let shard = 0; shard < h.subscriptions.shardCount; shard++) {
    const found = (await h.subscriptions.listShard(shard)).items.find((x) => x.pendingDigest !== undefined);
    if (found) return found;
  }
  return undefined;
}

const digestChild = fileURLToPath(new URL('../../../support/digest-crash-child.ts', import.meta.url));

/** Runs one digest in a child process on the harness's store that kills itself after the outbox `step`. */
function runDigestAndKill(h: AlertsHarness, dir: string, step: OutboxStep): Promise<NodeJS.Signals | null> {
  const args = [digestChild, h.endpoint, h.tableName, dir, step, h.clock.now().toISOString()];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('runDigest', () => {
  let h: AlertsHarness;
  beforeEach(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
  });
  afterEach(async () => {
    await h.stop();
  });

  it('sends each subscriber one mail across all saved searches, and nothing on a second run after the same crawl', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('半導体'), savedSearch('量子')]);
    await h.subscribeConfirmed('b@example.jp', [savedSearch('量子')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor, semiconductor2, quantum]);
    h.clock.advanceMs(10 * 60 * 1000);

    const first = await h.digest();
    const second = await h.digest();

    expect(first.sent).toBe(2);
    expect(second.sent).toBe(0);
    expect(h.digests.to('a@example.jp')).toHaveLength(1);
    expect(h.digests.to('b@example.jp')).toHaveLength(1);
    const a = h.digests.to('a@example.jp')[0];
    expect(a?.subject).toBe('【地域科学技術ポータル】新着 3件');
    expect(a?.text).toContain('次世代半導体研究開発プログラムの公募');
    expect(a?.text).toContain('量子技術イノベーション拠点の公募');
    expect(h.digests.to('b@example.jp')[0]?.subject).toBe('【地域科学技術ポータル】新着 1件');
    expect(h.confirmations.sent).toHaveLength(2);
  });

  it('names the saved searches an item matched in words, whatever label was stored with them', async () => {
    const legacy = {
      params: 'kind=call&q=%E5%8D%8A%E5%B0%8E%E4%BD%93&status=open',
      label: '半導体 / 公募 / 受付中',
      query: { text: '半導体', kinds: ['call' as const], statuses: ['open' as const] },
    };
    await h.subscribeConfirmed('a@example.jp', [legacy, savedSearch('次世代')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    h.clock.advanceMs(10 * 60 * 1000);

    await h.digest();

    const mail = h.digests.to('a@example.jp')[0];
    expect(mail?.text).toContain('該当する保存検索: 「半導体・公募・募集中」「次世代」');
    expect(mail?.html).toContain('該当する保存検索: 「半導体・公募・募集中」「次世代」');
    expect(mail?.text).not.toContain('受付中');
  });

  it('sends nothing to an address that has not confirmed', async () => {
    const { subscribe } = await import('../../../../shared/subscriptions/subscriptions.js');
    await subscribe(
      h.subscriptionDeps,
      { email: 'unconfirmed@example.jp', searches: [savedSearch('半導体')], frequency: 'immediate', reminderDays: [3] },
      '198.51.100.7',
    );
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);

    const report = await h.digest();

    expect(report.sent).toBe(0);
    expect(h.digests.sent).toHaveLength(0);
  });

  it('resumes after the mailer fails midway: no duplicate, no lost item', async () => {
    for (const n of [1, 2, 3]) await h.subscribeConfirmed(`r${n}@example.jp`, [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    h.digests.failAfter = 1;

    const crashed = await h.digest();
    h.digests.failAfter = undefined;
    h.clock.advanceMs(5 * 60 * 1000);
    await h.crawl([semiconductor2]);
    const rerun = await h.digest();
    const next = await h.digest();

    expect(crashed).toMatchObject({ sent: 1, failed: 2 });
    expect(rerun).toMatchObject({ resent: 2, sent: 1 });
    expect(next).toMatchObject({ sent: 2, resent: 0 });
    for (const n of [1, 2, 3]) {
      const mails = h.digests.to(`r${n}@example.jp`);
      const told = mails.flatMap((m) => [...m.text.matchAll(/^◆ (.+)$/gm)].map((x) => x[1]));
      expect(told.sort()).toEqual(['半導体人材育成拠点の公募', '次世代半導体研究開発プログラムの公募']);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
    }
  });

  it('sends one mail per subscriber when two runs overlap', async () => {
    for (const n of [1, 2, 3, 4]) await h.subscribeConfirmed(`p${n}@example.jp`, [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor, semiconductor2]);

    const [a, b] = await Promise.all([h.digest(), h.digest()]);

    expect(a.sent + b.sent).toBe(4);
    expect(a.raced + b.raced + a.heldByIntent + b.heldByIntent).toBe(4);
    for (const n of [1, 2, 3, 4]) expect(h.digests.to(`p${n}@example.jp`)).toHaveLength(1);
  });

  it('resends an interrupted digest with the same Message-ID, which the outbox delivers once', async () => {
    await h.subscribeConfirmed('crash@example.jp', [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    const dir = await mkdtemp(join(tmpdir(), 'digest-outbox-'));
    const outbox = new OutboxMailer({ dir, from: 'alerts@portal.example.jp' });
    // The process dies after the transport accepted the mail and before the commit.
    let sentOnce = false;
    const dying: SubscriptionStore = Object.create(h.subscriptions) as SubscriptionStore;
    dying.save = async (subscription: Subscription) => {
      if (sentOnce) throw new Error('killed before commit');
      return h.subscriptions.save(subscription);
    };

    const crashed = await h.digest({
      subscriptions: dying,
      mailer: {
        send: async (m) => {
          h.digests.sent.push(m);
          const sent = await outbox.send(m);
          sentOnce = true;
          return sent;
        },
      },
    });
    const tooSoon = await h.digest();
    h.clock.advanceMs(16 * 60 * 1000);
    const rerun = await h.digest({
      mailer: {
        send: async (m) => {
          h.digests.sent.push(m);
          return outbox.send(m);
        },
      },
    });

    expect(crashed.failed).toBe(1);
    expect(tooSoon).toMatchObject({ heldByIntent: 1, raced: 0, sent: 0, resent: 0 });
    expect(rerun.resent).toBe(1);
    const [firstTry, resend] = h.digests.sent;
    expect(resend?.messageId).toBe(firstTry?.messageId);
    expect(resend?.text).toBe(firstTry?.text);
    expect(await readdir(dir)).toHaveLength(1);
    expect((await h.digest()).sent).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it.each<[string, OutboxStep, boolean]>([
    ['after reserving the temporary file', 'reserve', false],
    ['after writing it, before linking', 'write', false],
    ['after reserving, with an empty .eml an older version left at the final name', 'reserve', true],
  ])(
    'delivers a digest whose run stopped %s exactly once after the lease, and reports it held until then',
    async (_case, step, emptyEml) => {
      await h.subscribeConfirmed('window@example.jp', [savedSearch('半導体')]);
      h.clock.advanceMs(2 * hour);
      await h.crawl([semiconductor, semiconductor2]);
      const dir = await mkdtemp(join(tmpdir(), 'digest-outbox-'));
      const from = 'alerts@portal.example.jp';
      // The run stops for good at the step: nothing after it runs, as when the process is killed.
      let stopped: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (stopped = resolve));
      const stuck = new OutboxMailer({
        dir,
        from,
        afterStep: (at) => {
          if (at !== step) return;
          stopped();
          return new Promise<void>(() => undefined);
        },
      });

      void h.digest({ mailer: stuck });
      await reached;
      const claimed = await claimedSubscription(h);
      const digestId = claimed?.pendingDigest?.id ?? 'missing';
      if (emptyEml) await writeFile(join(dir, `${digestId}.eml`), '');
      const left = await readdir(dir);
      h.clock.advanceMs(60 * 1000);
      const tooSoon = await h.digest({ mailer: new OutboxMailer({ dir, from }) });
      h.clock.advanceMs(claimLeaseMs);
      // The crashed run's temporary file is as old as the lease by now.
      for (const name of left.filter(isOutboxTemp)) await utimes(join(dir, name), new Date(0), new Date(0));
      const rerun = await h.digest({ mailer: new OutboxMailer({ dir, from }) });
      const after = await h.digest({ mailer: new OutboxMailer({ dir, from }) });

      expect(left.filter(isOutboxTemp)).toHaveLength(1);
      expect(left.filter((n) => n.endsWith('.eml'))).toEqual(emptyEml ? [`${digestId}.eml`] : []);
      expect(tooSoon).toMatchObject({ heldByIntent: 1, raced: 0, sent: 0, resent: 0, failed: 0 });
      expect(tooSoon.held).toEqual([
        {
          subscriptionId: claimed?.id,
          address: expect.stringMatching(/^[0-9a-f]{12}$/),
          digestId,
          claimedAt: claimed?.pendingDigest?.claimedAt,
          resendAfter: new Date(Date.parse(claimed?.pendingDigest?.claimedAt ?? '') + claimLeaseMs).toISOString(),
        },
      ]);
      expect(JSON.stringify(tooSoon)).not.toContain('window@example.jp');
      const finished = h.log.entries.filter((e) => e.message === 'digest run finished');
      expect(finished.map((e) => (e.data instanceof Error ? undefined : e.data?.heldByIntent))).toEqual([1, 0, 0]);
      expect(JSON.stringify(h.log.entries)).not.toContain('window@example.jp');
      expect(rerun).toMatchObject({ resent: 1, heldByIntent: 0, held: [], failed: 0 });
      expect(after).toMatchObject({ sent: 0, resent: 0, heldByIntent: 0 });
      expect(await readdir(dir)).toEqual([`${digestId}.eml`]);
      const mail = await simpleParser(await readFile(join(dir, `${digestId}.eml`)));
      expect(mail.messageId).toBe(`<${digestId}@portal.example.jp>`);
      expect(mail.to && 'value' in mail.to ? mail.to.value[0]?.address : undefined).toBe('window@example.jp');
      expect(mail.subject).toBe('【地域科学技術ポータル】新着 2件');
      await rm(dir, { recursive: true, force: true });
    },
  );

  it.each<OutboxStep>(['reserve', 'write', 'link'])(
    'delivers exactly once after the lease when the digest process is killed (SIGKILL) after the outbox %s',
    async (step) => {
      await h.subscribeConfirmed('killed@example.jp', [savedSearch('半導体')]);
      await h.subscribeConfirmed('later@example.jp', [savedSearch('量子')]);
      h.clock.advanceMs(2 * hour);
      await h.crawl([semiconductor, quantum]);
      const dir = await mkdtemp(join(tmpdir(), 'digest-outbox-'));
      const from = 'alerts@portal.example.jp';

      const signal = await runDigestAndKill(h, dir, step);
      const left = await readdir(dir);
      h.clock.advanceMs(60 * 1000);
      const tooSoon = await h.digest({ mailer: new OutboxMailer({ dir, from }) });
      h.clock.advanceMs(claimLeaseMs);
      for (const name of left.filter(isOutboxTemp)) await utimes(join(dir, name), new Date(0), new Date(0));
      const rerun = await h.digest({ mailer: new OutboxMailer({ dir, from }) });
      const after = await h.digest({ mailer: new OutboxMailer({ dir, from }) });

      expect(signal).toBe('SIGKILL');
      expect(left.filter(isOutboxTemp)).toHaveLength(1);
      expect(left.filter((n) => n.endsWith('.eml'))).toHaveLength(step === 'link' ? 1 : 0);
      // The killed run claimed one subscriber; the other it never reached is sent by the next run.
      expect(tooSoon).toMatchObject({ heldByIntent: 1, sent: 1, resent: 0, failed: 0 });
      expect(rerun).toMatchObject({ resent: 1, sent: 0, heldByIntent: 0, failed: 0 });
      expect(after).toMatchObject({ sent: 0, resent: 0, heldByIntent: 0 });
      const files = await readdir(dir);
      expect(files.filter(isOutboxTemp)).toEqual([]);
      const mails = await Promise.all(files.map(async (name) => simpleParser(await readFile(join(dir, name)))));
      const to = (address: string) =>
        mails.filter((m) => m.to && 'value' in m.to && m.to.value[0]?.address === address);
      expect(mails).toHaveLength(2);
      expect(to('killed@example.jp')).toHaveLength(1);
      expect(to('later@example.jp')).toHaveLength(1);
      await rm(dir, { recursive: true, force: true });
    },
    60_000,
  );

  it('sends nothing for a cosmetic edit and says what changed when the deadline moves', async () => {
    await h.subscribeConfirmed('c@example.jp', [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    await h.digest();
    h.clock.advanceMs(3 * hour);
    await h.crawl([
      {
        ...semiconductor,
        summary: '公募要領を掲載しました（誤字を修正）。',
        title: '次世代半導体研究開発プログラムの公募 ',
      },
    ]);
    h.clock.advanceMs(10 * 60 * 1000);

    const afterCosmetic = await h.digest();
    h.clock.advanceMs(3 * hour);
    await h.crawl([{ ...semiconductor, closesAt: '2025-07-14T17:00:00+09:00' }]);
    h.clock.advanceMs(10 * 60 * 1000);
    const afterMove = await h.digest();

    expect(afterCosmetic.sent).toBe(0);
    expect(afterMove.sent).toBe(1);
    const mails = h.digests.to('c@example.jp');
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe('【地域科学技術ポータル】変更 1件');
    expect(mails[1]?.text).toContain(
      '変更: 締切が「2025年6月30日(月) 17:00」から「2025年7月14日(月) 17:00」に変わりました',
    );
  });

  it('reminds at each lead time before the e-Rad effective deadline and says so', async () => {
    await h.subscribeConfirmed('d@example.jp', [savedSearch('半導体')], { reminderDays: [14, 3] });
    h.clock.advanceMs(2 * hour);
    // Deadline 2025-06-30 17:00 JST; e-Rad registration 14 days before: effective 2025-06-16 17:00 JST.
    await h.crawl([{ ...semiconductor, requiresRegistration: 'e-rad' }]);
    await h.digest();

    h.clock.set('2025-06-02T09:00:00Z'); // 13 days 23 hours before the effective deadline
    const fourteen = await h.digest();
    h.clock.set('2025-06-03T09:00:00Z');
    const quiet = await h.digest();
    h.clock.set('2025-06-13T09:00:00Z');
    const three = await h.digest();

    expect([fourteen.sent, quiet.sent, three.sent]).toEqual([1, 0, 1]);
    const [, first, second] = h.digests.to('d@example.jp');
    expect(first?.subject).toBe('【地域科学技術ポータル】締切間近 1件');
    expect(first?.text).toContain('実質締切: 2025年6月16日(月) 17:00（実質締切まで あと14日）');
    expect(first?.text).toContain('リマインダー: 実質締切の14日前のお知らせです');
    expect(first?.text).toContain('e-Rad への事前登録に14日以上かかるため');
    expect(second?.text).toContain('リマインダー: 実質締切の3日前のお知らせです');
  });

  it('never mentions a muted call again', async () => {
    await h.subscribeConfirmed('m@example.jp', [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    await h.digest();
    const first = h.digests.to('m@example.jp')[0];
    if (!first) throw new Error('no digest');

    await mute(h.subscriptionDeps, linkToken(first, 'mute'));
    h.clock.advanceMs(3 * hour);
    await h.crawl([{ ...semiconductor, closesAt: '2025-06-20T17:00:00+09:00' }]);
    h.clock.set('2025-06-18T00:00:00Z');
    const report = await h.digest();

    expect(report.sent).toBe(0);
    expect(h.digests.to('m@example.jp')).toHaveLength(1);
  });

  it('lists at most 100 calls per mail and brings the rest in the next digest, none twice', async () => {
    await h.subscribeConfirmed('busy@example.jp', [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    for (let batch = 0; batch < 3; batch++) {
      await h.crawl(
        Array.from({ length: 40 }, (_, i) => {
          const url = `https://www.mext.go.jp/koubo/many-${batch}-${i}.html`;
          return makeDraft({
            url,
            canonicalUrl: url,
            title: `半導体研究の公募 第${batch * 40 + i + 1}号`,
            requiresRegistration: undefined,
          });
        }),
      );
      h.clock.advanceMs(60 * 1000);
    }

    const first = await h.digest();
    h.clock.advanceMs(10 * 60 * 1000);
    const second = await h.digest();
    const third = await h.digest();

    expect([first.sent, second.sent, third.sent]).toEqual([1, 1, 0]);
    const titles = h.digests.to('busy@example.jp').map((m) => [...m.text.matchAll(/^◆ (.+)$/gm)].map((x) => x[1]));
    expect(titles.map((t) => t.length)).toEqual([100, 20]);
    expect(new Set(titles.flat()).size).toBe(120);
  });

  it('delivers a daily subscriber at most once a day, with everything since the last digest', async () => {
    await h.subscribeConfirmed('daily@example.jp', [savedSearch('半導体')], { frequency: 'daily' });
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);

    const tooEarly = await h.digest();
    h.clock.advanceMs(3 * hour);
    await h.crawl([semiconductor2]);
    h.clock.advanceMs(day);
    const daily = await h.digest();

    expect(tooEarly.sent).toBe(0);
    expect(daily.sent).toBe(1);
    expect(h.digests.to('daily@example.jp')[0]?.subject).toBe('【地域科学技術ポータル】新着 2件');
  });
  it('mails new research themes to a saved search that selects kind=theme, and only to it', async () => {
    await h.subscribeConfirmed('t@example.jp', [savedSearchOfKinds('半導体', ['theme'])]);
    await h.subscribeConfirmed('c@example.jp', [savedSearch('半導体')]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor, theme]);
    h.clock.advanceMs(10 * 60 * 1000);

    const run = await h.digest();

    expect(run.sent).toBe(2);
    const themes = h.digests.to('t@example.jp')[0];
    expect(themes?.subject).toBe('【地域科学技術ポータル】新着 1件');
    expect(themes?.text).toContain('次世代半導体の結晶欠陥を評価する手法の研究');
    expect(themes?.text).not.toContain('次世代半導体研究開発プログラムの公募');
    // A theme's period end is no deadline.
    expect(themes?.text).not.toContain('締切');
    const calls = h.digests.to('c@example.jp')[0];
    expect(calls?.text).toContain('次世代半導体研究開発プログラムの公募');
    expect(calls?.text).not.toContain('次世代半導体の結晶欠陥を評価する手法の研究');
  });

  it('tells of a theme whose budget changed but not of one whose period moved', async () => {
    await h.subscribeConfirmed('p@example.jp', [savedSearchOfKinds('半導体', ['theme'])]);
    h.clock.advanceMs(2 * hour);
    await h.crawl([theme]);
    await h.digest();
    h.clock.advanceMs(2 * hour);

    await h.crawl([{ ...theme, closesAt: '2026-03-31T23:59:59+09:00', seenAt: h.clock.now().toISOString() }]);
    const moved = await h.digest();
    h.clock.advanceMs(2 * hour);
    await h.crawl([
      {
        ...theme,
        closesAt: '2026-03-31T23:59:59+09:00',
        budget: { text: '配分額 4,290,000円', amountYen: 4_290_000 },
        seenAt: h.clock.now().toISOString(),
      },
    ]);
    const funded = await h.digest();

    expect([moved.sent, funded.sent]).toEqual([0, 1]);
    expect(h.digests.to('p@example.jp').at(-1)?.text).toContain('配分額 4,290,000円');
  });

  it('sends no deadline reminder for a theme', async () => {
    await h.subscribeConfirmed('r@example.jp', [savedSearchOfKinds('半導体', ['call', 'theme'])], {
      reminderDays: [14, 3],
    });
    h.clock.advanceMs(2 * hour);
    await h.crawl([theme]);
    const first = await h.digest();

    h.clock.set('2025-05-20T09:00:00Z'); // 11 days before the theme's period ends
    const later = await h.digest();

    expect([first.sent, later.sent]).toEqual([1, 0]);
  });
});
