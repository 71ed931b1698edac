import { describe, expect, it } from 'vitest';
import {
  countdown,
  fieldLabel,
  formatFieldValue,
  formatJst,
  renderConfirmation,
  renderDigest,
  type DigestEntry,
} from '../../../../shared/mail/render.js';

const base: Omit<DigestEntry, 'reason'> = {
  itemId: 'it_0123456789abcdef01234567',
  title: '地域中核研究拠点形成事業',
  publisher: '科学技術振興機構',
  sourceUrl: 'https://www.jst.go.jp/koubo/1.html',
  recordUrl: 'https://portal.example.jp/v1/items/it_0123456789abcdef01234567',
  muteUrl: 'https://portal.example.jp/v1/subscriptions/mute?token=x.y',
  closesAt: '2025-06-13T17:00:00+09:00',
};
const links = {
  manageUrl: 'https://portal.example.jp/v1/subscriptions/manage?token=m.m',
  unsubscribeUrl: 'https://portal.example.jp/v1/subscriptions/unsubscribe?token=u.u',
};

describe('formatJst and countdown', () => {
  it.each([
    ['2025-05-30T17:00:00+09:00', '2025年5月30日(金) 17:00'],
    ['2025-05-30T08:00:00Z', '2025年5月30日(金) 17:00'],
    ['2025-05-30T23:59:59+09:00', '2025年5月30日(金)'],
  ])('shows %s as %s in Tokyo time', (iso, shown) => {
    expect(formatJst(iso)).toBe(shown);
  });

  it('counts Tokyo calendar days to the deadline', () => {
    expect(countdown('2025-05-30T17:00:00+09:00', '2025-05-18T23:30:00+09:00')).toBe('締切まで あと12日');
    expect(countdown('2025-05-30T17:00:00+09:00', '2025-05-30T09:00:00+09:00')).toBe('本日締切');
    expect(countdown('2025-05-30T17:00:00+09:00', '2025-05-30T18:00:00+09:00')).toBe('締切済み');
  });
});

describe('renderDigest', () => {
  it('says what changed from what to what', () => {
    const mail = renderDigest({
      to: 'a@example.jp',
      entries: [
        {
          ...base,
          reason: 'changed',
          changes: [{ field: 'closesAt', before: '2025-05-30T17:00:00+09:00', after: '2025-06-13T17:00:00+09:00' }],
        },
      ],
      links,
      at: '2025-05-20T09:00:00+09:00',
      digestId: 'dg_1',
      messageDomain: 'portal.example.jp',
    });

    expect(mail.subject).toBe('【地域科学技術ポータル】変更 1件');
    expect(mail.text).toContain('変更: 締切が「2025年5月30日(金) 17:00」から「2025年6月13日(金) 17:00」に変わりました');
    expect(mail.html).toContain('締切が「2025年5月30日(金) 17:00」から「2025年6月13日(金) 17:00」に変わりました');
  });

  it('explains an e-Rad reminder against the effective deadline', () => {
    const mail = renderDigest({
      to: 'a@example.jp',
      entries: [
        {
          ...base,
          reason: 'reminder',
          requiresRegistration: 'e-rad',
          effectiveDeadline: '2025-05-30T17:00:00+09:00',
          registrationLeadDays: 14,
          reminderDays: 3,
        },
      ],
      links,
      at: '2025-05-27T09:00:00+09:00',
      digestId: 'dg_2',
      messageDomain: 'portal.example.jp',
    });

    expect(mail.subject).toBe('【地域科学技術ポータル】締切間近 1件');
    expect(mail.text).toContain('実質締切: 2025年5月30日(金) 17:00（実質締切まで あと3日）');
    expect(mail.text).toContain('e-Rad への事前登録に14日以上かかるため');
    expect(mail.text).toContain('リマインダー: 実質締切の3日前のお知らせです');
  });

  it('escapes item text in the HTML part', () => {
    const mail = renderDigest({
      to: 'a@example.jp',
      entries: [{ ...base, reason: 'new', title: '<script>alert(1)</script>公募' }],
      links,
      at: '2025-05-20T09:00:00+09:00',
      digestId: 'dg_3',
      messageDomain: 'portal.example.jp',
    });

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;');
  });
});

describe('forecast lines', () => {
  const forecastText =
    '次回の受付開始は2026年4月1日〜2026年4月21日頃の見込み（根拠: 過去3回の受付開始日 令和5年度 4月10日、令和6年度 4月8日、令和7年度 4月14日、ばらつき6日、前後7日の幅）';
  const forecastEntry: DigestEntry = {
    ...base,
    closesAt: undefined,
    reason: 'forecast',
    title: '地域イノベーション創出支援事業',
    forecast: {
      seriesId: 'se_0123456789abcdef01234567',
      opens: { from: '2026-04-01', to: '2026-04-21' },
      text: forecastText,
    },
    matchedSearches: ['地域イノベーション'],
  };
  const render = (entries: DigestEntry[]) =>
    renderDigest({
      to: 'a@example.jp',
      entries,
      links,
      at: '2026-03-02T09:00:00+09:00',
      digestId: 'dg_4',
      messageDomain: 'portal.example.jp',
    });

  it('words a forecast as expected, with its window and basis, in both parts and after the calls', () => {
    const mail = render([forecastEntry, { ...base, reason: 'new' }]);

    const line = `今後の公募（見込み）: 地域イノベーション創出支援事業 受付開始 2026年4月1日〜4月21日頃 — ${forecastText}`;
    expect(mail.subject).toBe('【地域科学技術ポータル】新着 1件・公募の見込み 1件');
    expect(mail.text).toContain(
      `◇ ${line}\n  発行: 科学技術振興機構\n  該当する保存検索: 「地域イノベーション」\n  前回の公募の記録: ${base.recordUrl}\n`,
    );
    expect(mail.html).toContain(`<strong>${line}</strong>`);
    expect(mail.text.indexOf('■ 新着の公募')).toBeLessThan(mail.text.indexOf('■ 今後の公募の見込み'));
    expect(mail.text).not.toMatch(/今後の公募（見込み）[^\n]*締切:/);
  });

  it('escapes a forecast in the HTML part', () => {
    const mail = render([{ ...forecastEntry, title: '<b>事業</b>' }]);

    expect(mail.html).not.toContain('<b>事業');
    expect(mail.html).toContain('&#60;b&#62;事業');
  });

  it('notes on a new call that it is the round a told forecast expected', () => {
    const mail = render([{ ...base, reason: 'new', forecastStarted: '地域イノベーション創出支援事業' }]);

    expect(mail.text).toContain('  見込みでお知らせした地域イノベーション創出支援事業の公募が始まりました\n');
    expect(mail.html).toContain('<li>見込みでお知らせした地域イノベーション創出支援事業の公募が始まりました</li>');
  });
});

describe('renderConfirmation', () => {
  it('carries the confirmation link and no unsubscribe headers', () => {
    const mail = renderConfirmation({
      to: 'a@example.jp',
      confirmUrl: 'https://portal.example.jp/v1/subscriptions/confirm?token=c.c',
      searches: [{ keyword: '半導体', filters: '募集中' }],
      expiresAt: '2025-05-27T09:00:00+09:00',
    });

    expect(mail.subject).toBe('【地域科学技術ポータル】メール配信の確認をお願いします');
    expect(mail.text).toContain('https://portal.example.jp/v1/subscriptions/confirm?token=c.c');
    expect(mail.headers).toBeUndefined();
  });

  it('lists each saved search as labelled parts, the keyword quoted, escaped in the HTML', () => {
    const mail = renderConfirmation({
      to: 'a@example.jp',
      confirmUrl: 'https://portal.example.jp/v1/subscriptions/confirm?token=c.c',
      searches: [{ keyword: '半導体<b>', filters: '募集中・長野県' }, { filters: 'すべての公募' }],
      expiresAt: '2025-05-27T09:00:00+09:00',
    });

    expect(mail.text).toContain('・キーワード「半導体<b>」／条件: 募集中・長野県\n・条件: すべての公募\n');
    expect(mail.html).toContain(
      '<li>キーワード「半導体&#60;b&#62;」／条件: 募集中・長野県</li><li>条件: すべての公募</li>',
    );
  });
});

describe('formatFieldValue and fieldLabel', () => {
  it.each([
    ['kind', 'call', '公募'],
    ['ministry', 'pref-20', '長野県'],
    ['prefectures', ['20', '21'], '長野県、岐阜県'],
    ['regions', ['chubu'], '中部'],
    ['fields', ['life-science'], 'ライフサイエンス'],
    ['prefectures', [], '（なし）'],
  ])('shows %s %j in words as %s', (field, value, shown) => {
    expect(formatFieldValue(field, value)).toBe(shown);
  });

  it('names fields with the words of the portal', () => {
    expect(fieldLabel('title')).toBe('タイトル');
    expect(fieldLabel('prefectures')).toBe('都道府県');
  });
});
