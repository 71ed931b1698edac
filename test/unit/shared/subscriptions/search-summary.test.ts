import { describe, expect, it } from 'vitest';
import { keywordLabel, maxKeywordChars, summariseSearch } from '../../../../shared/subscriptions/search-summary.js';

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
