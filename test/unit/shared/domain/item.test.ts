import { describe, expect, it } from 'vitest';
import {
  ItemDraftSchema,
  ItemIdSchema,
  ItemSchema,
  contentHashOf,
  contentOf,
  diffContent,
  itemIdFor,
  maxWebUrlLength,
  webUrlProblem,
} from '../../../../shared/domain/item.js';
import { makeDraft, makeItem } from '../../../support/factories.js';

describe('itemIdFor', () => {
  it('derives the same id from the same canonical URL, every time', () => {
    const url = 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/r7-01.html';

    expect(itemIdFor(url)).toBe(itemIdFor(url));
    expect(itemIdFor(url)).toMatch(/^it_[0-9a-f]{24}$/);
    expect(ItemIdSchema.safeParse(itemIdFor(url)).success).toBe(true);
  });

  it('gives different URLs different ids', () => {
    expect(itemIdFor('https://www.jst.go.jp/a.html')).not.toBe(itemIdFor('https://www.jst.go.jp/b.html'));
  });

  it('rejects a string that is not an item id, saying what one looks like', () => {
    const result = ItemIdSchema.safeParse('item-1');

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('it_0123456789abcdef01234567');
  });
});

describe('contentHashOf', () => {
  it('ignores where and when the content was seen', () => {
    const a = makeDraft({ sourceId: 'mext-koubo', seenAt: '2025-04-02T09:00:00+09:00' });
    const b = makeDraft({ sourceId: 'pref-tokyo-news', seenAt: '2025-05-01T09:00:00+09:00' });

    expect(contentHashOf(contentOf(a))).toBe(contentHashOf(contentOf(b)));
  });

  it('does not depend on the order of the object keys', () => {
    const draft = contentOf(makeDraft());
    const reversed = Object.fromEntries(Object.entries(draft).reverse()) as typeof draft;

    expect(contentHashOf(reversed)).toBe(contentHashOf(draft));
  });

  it('changes when any content field changes', () => {
    const base = contentOf(makeDraft());

    expect(contentHashOf({ ...base, closesAt: '2025-06-13T17:00:00+09:00' })).not.toBe(contentHashOf(base));
    expect(contentHashOf({ ...base, prefectures: ['13', '14'] })).not.toBe(contentHashOf(base));
    expect(contentHashOf({ ...base, summary: undefined })).not.toBe(contentHashOf(base));
  });
});

describe('diffContent', () => {
  it('lists each changed field with its before and after value', () => {
    const before = contentOf(makeDraft());
    const after = { ...before, title: '令和7年度 公募（第2回）', closesAt: '2025-06-13T17:00:00+09:00' };

    const diff = diffContent(before, after);

    expect(diff.changes).toEqual([
      { field: 'title', before: before.title, after: '令和7年度 公募（第2回）' },
      { field: 'closesAt', before: before.closesAt, after: '2025-06-13T17:00:00+09:00' },
    ]);
    expect(diff.material).toBe(true);
  });

  it.each([
    ['opensAt', { opensAt: '2025-04-15T00:00:00+09:00' }],
    ['closesAt', { closesAt: undefined }],
    ['budget', { budget: { text: '6,000百万円', amountYen: 6_000_000_000 } }],
    ['eligibility', { eligibility: '中小企業' }],
    ['requiresRegistration', { requiresRegistration: undefined }],
    ['kind', { kind: 'news' as const }],
  ])('marks a change of %s as material', (_field, change) => {
    const before = contentOf(makeDraft());

    expect(diffContent(before, { ...before, ...change }).material).toBe(true);
  });

  it.each([
    ['title', { title: '令和7年度 地域中核研究大学 公募' }],
    ['summary', { summary: '表現を修正しました。' }],
    ['bodyText', { bodyText: '本文の誤字を修正。' }],
    ['prefectures', { prefectures: ['13', '27'] }],
  ])('marks a change of %s alone as not material', (_field, change) => {
    const before = contentOf(makeDraft());

    expect(diffContent(before, { ...before, ...change }).material).toBe(false);
  });

  it('reports no change for equal content, and a removed field as before → null', () => {
    const before = contentOf(makeDraft());

    expect(diffContent(before, { ...before })).toEqual({ changes: [], material: false });
    expect(diffContent(before, { ...before, summary: undefined }).changes).toEqual([
      { field: 'summary', before: before.summary, after: null },
    ]);
  });
});

describe('contentOf', () => {
  it('keeps only content fields', () => {
    const content = contentOf(makeItem());

    expect(content).not.toHaveProperty('id');
    expect(content).not.toHaveProperty('provenance');
    expect(content).not.toHaveProperty('sourceId');
    expect(content.title).toBe(makeDraft().title);
  });
});

describe('schemas', () => {
  it('accepts the factory draft and item', () => {
    expect(ItemDraftSchema.safeParse(makeDraft()).success).toBe(true);
    expect(ItemSchema.safeParse(makeItem()).success).toBe(true);
  });

  it('rejects a draft with an unknown field, a bad prefecture code or a date without offset', () => {
    expect(ItemDraftSchema.safeParse({ ...makeDraft(), deadline: '5月30日' }).success).toBe(false);
    expect(ItemDraftSchema.safeParse(makeDraft({ prefectures: ['48'] })).success).toBe(false);
    expect(ItemDraftSchema.safeParse(makeDraft({ closesAt: '2025-05-30T17:00:00' })).success).toBe(false);
  });

  it('caps body text at 100,000 characters', () => {
    expect(ItemDraftSchema.safeParse(makeDraft({ bodyText: 'あ'.repeat(100_000) })).success).toBe(true);
    expect(ItemDraftSchema.safeParse(makeDraft({ bodyText: 'あ'.repeat(100_001) })).success).toBe(false);
  });
});

describe('webUrlProblem', () => {
  it.each([
    ['javascript:alert(1)', 'scheme "javascript:" is not http or https'],
    ['JavaScript:alert(1)', 'scheme "javascript:" is not http or https'],
    ['data:text/html,<script>alert(1)</script>', 'scheme "data:" is not http or https'],
    ['file:///etc/passwd', 'scheme "file:" is not http or https'],
    ['ftp://example.go.jp/a', 'scheme "ftp:" is not http or https'],
    ['/relative/path.html', 'is not an absolute URL'],
    ['https://user:pass@example.go.jp/', 'carries credentials (user:pass@), expected none'],
    ['https://user@example.go.jp/', 'carries credentials (user:pass@), expected none'],
    ['HTTPS://Example.go.jp:443/a', 'is not normalised, expected "https://example.go.jp/a"'],
    ['https://example.go.jp/公募', 'is not normalised, expected "https://example.go.jp/%E5%85%AC%E5%8B%9F"'],
  ])('refuses %s: %s', (value, problem) => {
    expect(webUrlProblem(value)).toBe(problem);
  });

  it('refuses a URL longer than maxWebUrlLength', () => {
    const long = `https://example.go.jp/${'a'.repeat(maxWebUrlLength)}`;

    expect(webUrlProblem(long)).toBe(`is ${maxWebUrlLength + 22} characters long, expected at most ${maxWebUrlLength}`);
  });

  it.each(['https://www.mext.go.jp/a/b.html?x=1', 'http://example.go.jp:8080/', 'https://example.go.jp/%E5%85%AC'])(
    'keeps %s',
    (value) => {
      expect(webUrlProblem(value)).toBeUndefined();
    },
  );

  it('makes ItemDraftSchema refuse a javascript: link in url and canonicalUrl', () => {
    const draft = makeDraft();

    const result = ItemDraftSchema.safeParse({ ...draft, url: 'javascript:alert(1)', canonicalUrl: 'data:,x' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['url', 'canonicalUrl']);
  });
});
