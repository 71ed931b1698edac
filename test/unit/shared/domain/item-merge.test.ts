import { describe, expect, it } from 'vitest';
import { itemIdFor, type Item, type ItemDraft } from '../../../../shared/domain/item.js';
import {
  carryForward,
  claimsTitle,
  decideUpsert,
  historyLimit,
  historySnapshotChars,
  listFieldsChanged,
  mergesByTitle,
  newItem,
  titleMergeWindowMs,
  withdrawSource,
  withinTitleWindow,
  type StoredItem,
} from '../../../../shared/domain/item-merge.js';
import { makeDraft, makeItem } from '../../../support/factories.js';

const now = '2025-04-10T00:00:00.000Z';
const later = '2025-04-11T00:00:00.000Z';
const aggregatorUrl = 'https://www.pref.example.jp/news/mext-r7.html';

/** The item the first draft of `makeDraft` made, stored at `createdAt`. */
function stored(overrides: Partial<Item> = {}): StoredItem {
  const item = makeItem(overrides);
  return { item, changedAt: item.createdAt };
}

describe('decideUpsert', () => {
  it('makes a new item, version 1, from a draft no stored item matched', () => {
    const draft = makeDraft();

    const decision = decideUpsert(draft, undefined, now);

    expect(decision.outcome).toBe('new');
    expect(decision.item).toMatchObject({
      id: itemIdFor(draft.canonicalUrl),
      version: 1,
      createdAt: now,
      updatedAt: now,
      history: [],
      provenance: [{ sourceId: 'mext-koubo', url: draft.url, firstSeenAt: draft.seenAt, lastSeenAt: draft.seenAt }],
    });
    expect(decision).toMatchObject({ changedAt: now });
  });

  it.each<[string, Partial<ItemDraft>]>([
    ['the same page seen again', {}],
    ['the same page seen a day later', { seenAt: '2025-04-03T09:00:00+09:00' }],
    ['another source re-publishing it with other text', { sourceId: 'pref-news', url: aggregatorUrl, title: '別題' }],
  ])('leaves the item unchanged for %s once the source is known', (_, overrides) => {
    const base = stored();
    const known: StoredItem =
      overrides.sourceId === undefined
        ? base
        : stored({
            provenance: [
              ...base.item.provenance,
              { sourceId: 'pref-news', url: aggregatorUrl, firstSeenAt: now, lastSeenAt: now },
            ],
          });

    const decision = decideUpsert(makeDraft(overrides), { stored: known, viaTitle: false }, later);

    expect(decision).toEqual({ outcome: 'unchanged', item: known.item });
  });

  it('adds a second source to the provenance without taking over the content', () => {
    const first = stored();
    const draft = makeDraft({ sourceId: 'pref-news', url: aggregatorUrl, title: '県版の題名', seenAt: now });

    const decision = decideUpsert(draft, { stored: first, viaTitle: false }, later);

    expect(decision).toMatchObject({ outcome: 'updated', sourceJoined: true, changedAt: first.changedAt });
    expect(decision.item.title).toBe(first.item.title);
    expect(decision.item.contentHash).toBe(first.item.contentHash);
    expect(decision.item.version).toBe(2);
    expect(decision.item.history).toEqual([]);
    expect(decision.item.provenance.map((p) => p.sourceId)).toEqual(['mext-koubo', 'pref-news']);
    expect(decision.item.provenance[1]).toEqual({
      sourceId: 'pref-news',
      url: aggregatorUrl,
      firstSeenAt: now,
      lastSeenAt: now,
    });
  });

  it('names the draft id as an alias when the match came through the title key', () => {
    const draft = makeDraft({ sourceId: 'pref-news', url: aggregatorUrl });

    const decision = decideUpsert(draft, { stored: stored(), viaTitle: true }, later);

    expect(decision).toMatchObject({ outcome: 'updated', alias: itemIdFor(aggregatorUrl) });
    expect(decision.item.id).toBe(itemIdFor(makeDraft().canonicalUrl));
  });

  it('keeps no alias for a match by the draft own id', () => {
    const decision = decideUpsert(makeDraft({ sourceId: 'pref-news' }), { stored: stored(), viaTitle: false }, later);

    expect(decision).not.toHaveProperty('alias');
  });

  it.each<[string, Partial<ItemDraft>, boolean, string[]]>([
    ['a moved deadline', { closesAt: '2025-06-13T17:00:00+09:00' }, true, ['closesAt']],
    ['a new budget', { budget: { text: '6,000百万円', amountYen: 6_000_000_000 } }, true, ['budget']],
    ['a call becoming news', { kind: 'news' }, true, ['kind']],
    ['a reworded summary', { summary: '公募を開始しました。' }, false, ['summary']],
    ['a corrected title', { title: '令和7年度 公募（訂正）' }, false, ['title']],
  ])('records %s from the owning source as a change, material: %s', (_, overrides, material, fields) => {
    const first = stored();

    const decision = decideUpsert(makeDraft({ ...overrides, seenAt: now }), { stored: first, viaTitle: false }, later);

    expect(decision.outcome).toBe('updated');
    if (decision.outcome !== 'updated') return;
    expect(decision.change).toMatchObject({ version: 2, at: later, material });
    expect(decision.change?.changes.map((c) => c.field)).toEqual(fields);
    expect(decision.item.history).toEqual([decision.change]);
    expect(decision.changedAt).toBe(material ? later : first.changedAt);
    expect(decision.sourceJoined).toBe(false);
    expect(decision.item.provenance[0]?.lastSeenAt).toBe(now);
    expect(decision.item.contentHash).not.toBe(first.item.contentHash);
  });

  it('cuts long strings in a history entry to a snapshot', () => {
    const decision = decideUpsert(
      makeDraft({ bodyText: 'あ'.repeat(historySnapshotChars + 50) }),
      { stored: stored(), viaTitle: false },
      later,
    );

    const after = decision.outcome === 'updated' ? decision.change?.changes[0]?.after : undefined;
    expect(after).toBe(`${'あ'.repeat(historySnapshotChars)}…`);
  });

  it(`keeps the newest ${historyLimit} history entries`, () => {
    const old = Array.from({ length: historyLimit }, (_, i) => ({
      version: historyLimit - i,
      at: now,
      material: false,
      changes: [],
    }));

    const decision = decideUpsert(
      makeDraft({ summary: '新しい要約' }),
      { stored: stored({ version: historyLimit, history: old }), viaTitle: false },
      later,
    );

    expect(decision.item.history).toHaveLength(historyLimit);
    expect(decision.item.history[0]?.version).toBe(historyLimit + 1);
    expect(decision.item.history.at(-1)?.version).toBe(2);
  });

  it('brings a withdrawn item back when its source lists it again', () => {
    const base = makeItem();
    const withdrawn = stored({
      withdrawnAt: now,
      provenance: base.provenance.map((p) => ({ ...p, withdrawnAt: now })),
    });

    const decision = decideUpsert(makeDraft({ seenAt: later }), { stored: withdrawn, viaTitle: false }, later);

    expect(decision).toMatchObject({ outcome: 'updated', sourceJoined: true });
    expect(decision.item).not.toHaveProperty('withdrawnAt');
    expect(decision.item.provenance).toEqual([{ ...base.provenance[0], withdrawnAt: undefined, lastSeenAt: later }]);
    expect(decision.item.provenance[0]).not.toHaveProperty('withdrawnAt');
  });

  it('hands the content to the next source once the owner has withdrawn', () => {
    const base = makeItem();
    const ownerGone = stored({
      provenance: [
        { sourceId: 'mext-koubo', url: base.url, firstSeenAt: now, lastSeenAt: now, withdrawnAt: now },
        { sourceId: 'pref-news', url: aggregatorUrl, firstSeenAt: now, lastSeenAt: now },
      ],
    });

    const decision = decideUpsert(
      makeDraft({ sourceId: 'pref-news', url: aggregatorUrl, title: '県版の題名' }),
      { stored: ownerGone, viaTitle: false },
      later,
    );

    expect(decision.outcome).toBe('updated');
    expect(decision.item.title).toBe('県版の題名');
  });
});

describe('newItem', () => {
  it('derives id and content hash from the draft alone', () => {
    const a = newItem(makeDraft({ seenAt: now }), now);
    const b = newItem(makeDraft({ seenAt: later, sourceId: 'other' }), later);

    expect(a.id).toBe(b.id);
    expect(a.contentHash).toBe(b.contentHash);
  });
});

/** `item` after `sourceId` withdrew it at `now`; fails the test when that changed nothing. */
function withdrawnBy(item: Item, sourceId: string): Item {
  const out = withdrawSource(item, sourceId, now, now);
  if (!out) throw new Error(`expected ${sourceId} to withdraw the item`);
  return out;
}

describe('withdrawSource', () => {
  const two = makeItem({
    provenance: [
      { sourceId: 'mext-koubo', url: makeDraft().url, firstSeenAt: now, lastSeenAt: now },
      { sourceId: 'pref-news', url: aggregatorUrl, firstSeenAt: now, lastSeenAt: now },
    ],
  });

  it('marks one source withdrawn while another still lists the item', () => {
    const item = withdrawSource(two, 'pref-news', later, later);

    expect(item?.version).toBe(2);
    expect(item?.withdrawnAt).toBeUndefined();
    expect(item?.provenance.map((p) => p.withdrawnAt)).toEqual([undefined, later]);
  });

  it('withdraws the item when its last source withdraws it', () => {
    const once = withdrawnBy(two, 'pref-news');

    const item = withdrawSource(once, 'mext-koubo', later, later);

    expect(item?.withdrawnAt).toBe(later);
    expect(item?.version).toBe(3);
  });

  it.each([
    ['a source that never listed it', 'jst-news'],
    ['a source that already withdrew it', 'pref-news'],
  ])('changes nothing for %s', (_, sourceId) => {
    const once = withdrawnBy(two, 'pref-news');

    expect(withdrawSource(once, sourceId, later, later)).toBeUndefined();
  });
});

describe('title key rules', () => {
  const claim = { itemId: makeItem().id, firstSeenAt: '2025-04-02T09:00:00+09:00' };
  const windowEnd = new Date(Date.parse(claim.firstSeenAt) + titleMergeWindowMs).toISOString();
  const pastWindow = new Date(Date.parse(claim.firstSeenAt) + titleMergeWindowMs + 1000).toISOString();

  it.each([
    ['the same instant', claim.firstSeenAt, true],
    ['the last instant of the window', windowEnd, true],
    ['a second past the window', pastWindow, false],
  ])('sees %s as within the title window: %s', (_, seenAt, expected) => {
    expect(withinTitleWindow(claim.firstSeenAt, seenAt)).toBe(expected);
  });

  it.each<[string, Partial<ItemDraft>, boolean]>([
    ['another source, in the window', { sourceId: 'pref-news', url: aggregatorUrl }, true],
    ['the same source (a second page under a generic title)', { url: aggregatorUrl }, false],
    ['another source, past the window', { sourceId: 'pref-news', url: aggregatorUrl, seenAt: pastWindow }, false],
  ])('merges by title for %s: %s', (_, overrides, expected) => {
    expect(mergesByTitle(claim, makeDraft(overrides), makeItem())).toBe(expected);
  });

  it.each([
    ['no claim yet', undefined, true],
    ['a fresh claim of another item', { itemId: itemIdFor(aggregatorUrl), firstSeenAt: now }, false],
    ['a stale claim of another item', { itemId: itemIdFor(aggregatorUrl), firstSeenAt: '2024-01-01T00:00:00Z' }, true],
    ['its own claim', { itemId: makeItem().id, firstSeenAt: '2024-01-01T00:00:00Z' }, false],
  ])('lets a new item take the title key with %s: %s', (_, existing, expected) => {
    expect(claimsTitle(existing, makeDraft({ seenAt: now }), makeItem().id)).toBe(expected);
  });
});

describe('carryForward', () => {
  const bare = (overrides: Partial<ItemDraft> = {}): ItemDraft => {
    const {
      summary: _s,
      bodyText: _b,
      opensAt: _o,
      closesAt: _c,
      budget: _u,
      eligibility: _e,
      requiresRegistration: _r,
      ...rest
    } = makeDraft(overrides);
    return { ...rest, ...overrides };
  };

  it('returns the draft as it is without a stored item', () => {
    const draft = bare();

    expect(carryForward(draft, undefined, { detailRead: false })).toBe(draft);
  });

  it('carries every detail field the draft lacks from the stored item', () => {
    const out = carryForward(bare(), makeItem(), { detailRead: false });

    expect(out).toEqual(makeDraft());
  });

  it('keeps the applicants and amount read with the detail page until that page is read again', () => {
    const stored = makeItem({
      applicants: {
        types: ['sme', 'nonprofit'],
        evidence: [
          { type: 'sme', phrase: '従業員数 300名以下', from: 'metadata' },
          { type: 'nonprofit', phrase: '補助対象者:特定非営利活動法人', from: 'detail' },
        ],
      },
      amount: {
        maxPerProjectYen: 12_500_000,
        minPerProjectYen: 1_000_000,
        evidence: [
          { field: 'maxPerProjectYen', phrase: '補助上限額 12,500,000円', from: 'metadata' },
          { field: 'minPerProjectYen', phrase: '下限100万円', from: 'detail' },
        ],
      },
    });
    const listed = bare({
      applicants: { types: ['sme'], evidence: [{ type: 'sme', phrase: '従業員数 300名以下', from: 'metadata' }] },
      amount: {
        maxPerProjectYen: 12_500_000,
        evidence: [{ field: 'maxPerProjectYen', phrase: '補助上限額 12,500,000円', from: 'metadata' }],
      },
    });

    expect(carryForward(listed, stored, { detailRead: false })).toMatchObject({
      applicants: stored.applicants,
      amount: stored.amount,
    });
    expect(carryForward(listed, stored, { detailRead: true })).toMatchObject({
      applicants: listed.applicants,
      amount: listed.amount,
    });
  });

  it.each<[string, string, boolean, string]>([
    [
      'a listed date on the stored time day keeps the time',
      '2025-05-30T23:59:59+09:00',
      false,
      '2025-05-30T17:00:00+09:00',
    ],
    ['a listed date on another day wins', '2025-06-02T23:59:59+09:00', false, '2025-06-02T23:59:59+09:00'],
    ['a read detail page wins on the same day', '2025-05-30T23:59:59+09:00', true, '2025-05-30T23:59:59+09:00'],
    // 00:30 in Tokyo is the previous day in UTC: the day is the Tokyo day.
    [
      'the same Tokyo day across UTC midnight keeps the time',
      '2025-05-30T00:30:00+09:00',
      false,
      '2025-05-30T17:00:00+09:00',
    ],
  ])('applies the same-day deadline rule: %s', (_, listed, detailRead, expected) => {
    const out = carryForward(bare({ closesAt: listed }), makeItem(), { detailRead });

    expect(out.closesAt).toBe(expected);
  });

  it('unites prefectures, regions and fields, sorted', () => {
    const out = carryForward(bare({ prefectures: ['27'], regions: ['kinki'], fields: ['ai'] }), makeItem(), {
      detailRead: true,
    });

    expect(out).toMatchObject({
      prefectures: ['13', '27'],
      regions: ['kanto', 'kinki'],
      fields: ['ai', 'nano-materials'],
    });
  });

  it.each<[string, string, 'call' | 'news']>([
    ['its own source', 'mext-koubo', 'call'],
    ['another source', 'pref-news', 'news'],
  ])('keeps a stored call a call when %s lists it as news', (_, sourceId, kind) => {
    expect(carryForward(bare({ kind: 'news', sourceId }), makeItem(), { detailRead: true }).kind).toBe(kind);
  });
});

describe('listFieldsChanged', () => {
  const item = makeItem();
  const listed = {
    title: `${item.title} `,
    opensAt: item.opensAt,
    closesAt: item.closesAt,
    budgetYen: item.budget?.amountYen,
  };

  it.each<[string, Partial<typeof listed>, boolean]>([
    ['nothing (the title trimmed)', {}, false],
    ['the title', { title: '別の題名' }, true],
    ['the opening date', { opensAt: '2025-04-02T00:00:00+09:00' }, true],
    ['the deadline', { closesAt: undefined }, true],
    ['the budget', { budgetYen: 1 }, true],
  ])('says whether a list entry changed %s: %s', (_, overrides, expected) => {
    expect(listFieldsChanged(item, { ...listed, ...overrides })).toBe(expected);
  });
});
