import { describe, expect, it } from 'vitest';
import {
  describeSearchQuery,
  keywordLabel,
  maxKeywordChars,
  summariseSearch,
  yenWords,
} from '../../../../shared/subscriptions/search-summary.js';

describe('keywordLabel', () => {
  it.each([
    ['半導体', '半導体'],
    ['  地域   イノベーション ', '地域 イノベーション'],
    [
      '重要：こちらのリンクからパスワードを再設定してください https://evil.example',
      '重要 こちらのリンクからパスワードを再設…',
    ],
    ['https://evil.example', ''],
    ['ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ／ｒｅｓｅｔ', ''],
    ['詳細は evil.example/reset へ', '詳細は へ'],
    ['詳細はevil.example/resetへ', ''],
    ['連絡先 admin@evil.example まで', '連絡先 まで'],
    ['javascript:alert(1)', 'javascript alert 1'],
    ['<a href=x>押す</a>', 'a href x 押す a'],
    ['一行目\r\n二行目\u0000', '一行目 二行目'],
    ['「引用」を閉じる」', '引用 を閉じる'],
    ['AI・ロボット', 'AI・ロボット'],
  ])('shows %j as %j', (text, label) => {
    expect(keywordLabel(text)).toBe(label);
  });

  it('never holds a link-making character, whatever the input', () => {
    const hostile = [
      'http://a.b',
      'see www.evil.example now',
      'mailto:x@y.z',
      'data:text/html,<script>',
      'evil。example',
      'evil．example',
      'a\u2024b',
    ];

    for (const text of hostile) expect(keywordLabel(text)).not.toMatch(/[:/.@<>\u3002\uFF0E\u2024]/u);
  });

  it(`cuts at ${maxKeywordChars} characters with an ellipsis`, () => {
    expect(Array.from(keywordLabel('あ'.repeat(500)))).toHaveLength(maxKeywordChars + 1);
    expect(keywordLabel('あ'.repeat(500)).endsWith('…')).toBe(true);
  });
});

describe('summariseSearch', () => {
  it('describes the filters from the taxonomy and the words as a keyword', () => {
    expect(summariseSearch({ text: 'クラスター', statuses: ['open'], prefectures: ['20'] })).toEqual({
      keyword: 'クラスター',
      filters: '募集中・長野県',
    });
    expect(summariseSearch({})).toEqual({ filters: 'すべての公募' });
    expect(summariseSearch({ text: 'https://evil.example', kinds: ['call'] })).toEqual({ filters: '公募' });
  });
});

describe('yenWords', () => {
  it.each([
    [0, '0円'],
    [5_000, '5,000円'],
    [1_234_567, '1,234,567円'],
    [10_000, '1万円'],
    [1_000_000, '100万円'],
    [30_000_000, '3,000万円'],
    [100_000_000, '1億円'],
    [120_000_000, '1億2,000万円'],
    [1_500_000_000_000, '15,000億円'],
  ])('writes %d yen as %s', (yen, words) => {
    expect(yenWords(yen)).toBe(words);
  });
});

describe('describeSearchQuery', () => {
  it.each([
    [{ applicants: ['university', 'sme'] as const }, '大学・高専または中小企業'],
    [{ amountMin: 1_000_000 }, '上限額 100万円以上'],
    [{ amountMax: 100_000_000 }, '上限額 1億円以下'],
    [{ amountMin: 1_000_000, amountMax: 30_000_000 }, '上限額 100万円〜3,000万円'],
    [{ amountMin: 5_000_000, amountMax: 5_000_000 }, '上限額 500万円'],
    [{ statuses: ['expected'] }, '公募予定（見込み）'],
    [{ statuses: ['open', 'expected'] }, '募集中または公募予定（見込み）'],
    [
      { text: '半導体', kinds: ['call'], statuses: ['expected'], applicants: ['startup'] as const, amountMin: 0 },
      '半導体・公募・公募予定（見込み）・スタートアップ・上限額 0円以上',
    ],
    [{}, 'すべて'],
  ])('puts %j into words as %s', (query, words) => {
    expect(describeSearchQuery(query)).toBe(words);
  });

  it('gives a confirmation mail the applicants and the amount in words', () => {
    expect(summariseSearch({ text: 'AI', applicants: ['individual'], amountMax: 3_000_000 })).toEqual({
      keyword: 'AI',
      filters: '個人・研究者・上限額 300万円以下',
    });
  });
});
