import { contentHashOf, contentOf, itemIdFor, type Item, type ItemDraft } from '../../shared/domain/item.js';

/**
 * Test data factories. Defaults are a plausible MEXT call; every field can be overridden.
 * Keep the defaults stable: other suites rely on them.
 */

/** A valid draft (what an extractor hands to `ItemStore.upsert`). */
export function makeDraft(overrides: Partial<ItemDraft> = {}): ItemDraft {
  const url = overrides.url ?? overrides.canonicalUrl ?? 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/r7-01.html';
  return {
    kind: 'call',
    title: '令和7年度 地域中核・特色ある研究大学強化促進事業の公募について',
    url,
    canonicalUrl: url,
    summary: '地域の中核となる大学の研究力強化を支援する事業の公募を開始しました。',
    bodyText:
      '文部科学省では、令和7年度地域中核・特色ある研究大学強化促進事業の公募を行います。申請はe-Radにより受け付けます。',
    publisher: '文部科学省',
    ministry: 'mext',
    prefectures: ['13'],
    regions: ['kanto'],
    fields: ['nano-materials'],
    publishedAt: '2025-04-01T00:00:00+09:00',
    opensAt: '2025-04-01T00:00:00+09:00',
    closesAt: '2025-05-30T17:00:00+09:00',
    budget: { text: '5,521百万円', amountYen: 5_521_000_000 },
    eligibility: '国公私立大学',
    requiresRegistration: 'e-rad',
    sourceId: 'mext-koubo',
    seenAt: '2025-04-02T09:00:00+09:00',
    ...overrides,
  };
}

/** A valid stored item, consistent with its content (id from the canonical URL, matching hash). */
export function makeItem(overrides: Partial<Item> = {}): Item {
  const draft = makeDraft();
  const { sourceId, seenAt, ...content } = draft;
  const base: Item = {
    ...content,
    id: itemIdFor(draft.canonicalUrl),
    provenance: [{ sourceId, url: draft.url, firstSeenAt: seenAt, lastSeenAt: seenAt }],
    contentHash: contentHashOf(contentOf(draft)),
    version: 1,
    createdAt: seenAt,
    updatedAt: seenAt,
    history: [],
  };
  const merged: Item = { ...base, ...overrides };
  // Keep id and hash consistent with overridden content unless the caller set them.
  if (overrides.id === undefined) merged.id = itemIdFor(merged.canonicalUrl);
  if (overrides.contentHash === undefined) merged.contentHash = contentHashOf(contentOf(merged));
  return merged;
}
