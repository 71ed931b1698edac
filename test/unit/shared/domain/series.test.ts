import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trySource } from '../../../../infra/cli/commands/source-try.js';
import { itemIdFor, type Item } from '../../../../shared/domain/item.js';
import {
  assignSeriesIds,
  clusterSeries,
  linkEvidence,
  readTitle,
  seriesIdFor,
  seriesKeysOf,
  type SeriesCandidate,
  type SeriesOverride,
} from '../../../../shared/domain/series.js';
import { loadRegistry } from '../../../../shared/sources/registry.js';
import { makeItem } from '../../../support/factories.js';
import { realWebAvailable, realWebDir, savedPage } from '../../../support/real-web.js';

/** A call of `publisher` at `url` titled `title`. */
function call(title: string, url: string, overrides: Partial<Item> = {}): Item {
  return makeItem({ title, url, canonicalUrl: url, ...overrides });
}

const base = 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/';

describe('readTitle', () => {
  it.each([
    ['令和8年度 地域イノベーション創出支援事業の公募について', '地域イノベーション創出支援事業', ['令和8年度'], 2026],
    ['R8 地域イノベーション創出支援事業', '地域イノベーション創出支援事業', ['R8'], 2026],
    ['2026年度 地域イノベーション創出支援事業', '地域イノベーション創出支援事業', ['2026年度'], 2026],
    ['平成30年度地域イノベーション創出支援事業', '地域イノベーション創出支援事業', ['平成30年度'], 2018],
    ['令和元年度 地域イノベーション創出支援事業', '地域イノベーション創出支援事業', ['令和元年度'], 2019],
    ['令和七年度 地域イノベーション創出支援事業', '地域イノベーション創出支援事業', ['令和七年度'], 2025],
    ['地域イノベーション創出支援事業（第2回）', '地域イノベーション創出支援事業', ['第2回'], undefined],
    ['地域イノベーション創出支援事業 二次公募', '地域イノベーション創出支援事業', ['二次公募'], undefined],
    ['地域イノベーション創出支援事業（追加公募）', '地域イノベーション創出支援事業', ['追加公募'], undefined],
    [
      '【第3次締切】ものづくり・商業・サービス生産性向上促進補助金',
      'ものづくり商業サービス生産性向上促進補助金',
      ['第3次締切'],
      undefined,
    ],
  ])('reads 「%s」 as key %s with tokens %j', (title, key, printed, fiscalYear) => {
    const reading = readTitle(title);

    expect(reading.key).toBe(key);
    expect(reading.tokens.map((t) => t.printed)).toEqual(printed);
    expect(reading.fiscalYear).toBe(fiscalYear);
  });

  it('leaves a date such as R7.5.30 in the title alone', () => {
    expect(readTitle('地域連携事業 R7.5.30締切').tokens).toEqual([]);
  });
});

describe('linkEvidence', () => {
  it.each([
    [
      '令和7年度 地域イノベーション創出支援事業の公募について',
      '令和8年度 地域イノベーション創出支援事業の公募について',
      'title',
    ],
    ['令和8年度 地域イノベーション創出支援事業（第1回）', '令和8年度 地域イノベーション創出支援事業（第2回）', 'title'],
    ['R7 地域イノベーション創出支援事業', '2026年度 地域イノベーション創出支援事業', 'title'],
    ['地域イノベーション創出支援事業', '地域イノベーション創出支援事業（追加公募）', 'title'],
    ['【第2次締切】ものづくり補助金事業', '【第3次締切】ものづくり補助金事業', 'title'],
  ])('links 「%s」 and 「%s」 by %s', (a, b, rule) => {
    const found = linkEvidence(call(a, `${base}a.html`), call(b, `${base}b.html`));

    expect(found?.rule).toBe(rule);
    expect(found?.differing[0]).not.toBe(found?.differing[1]);
  });

  it.each([
    ['same year, different programs', '令和8年度 地域イノベーション創出支援事業', '令和8年度 地域産学官連携推進事業'],
    ['a program and its regional quota', '地域イノベーション創出支援事業', '地域イノベーション創出支援事業（地域枠）'],
    [
      'a call and its briefing',
      '令和8年度 地域イノベーション創出支援事業',
      '令和8年度 地域イノベーション創出支援事業 説明会のお知らせ',
    ],
    ['the same round twice', '令和8年度 地域イノベーション創出支援事業', '令和8年度　地域イノベーション創出支援事業'],
    ['a key too short to name a program', '令和7年度 A事業', '令和8年度 A事業'],
  ])('does not link %s', (_, a, b) => {
    expect(linkEvidence(call(a, `${base}a.html`), call(b, `${base}b.html`))).toBeUndefined();
  });

  it('does not link the same title of another publisher', () => {
    const mext = call('令和7年度 地域イノベーション創出支援事業', `${base}a.html`);
    const meti = call('令和8年度 地域イノベーション創出支援事業', 'https://www.meti.go.jp/koubo/b.html', {
      publisher: '経済産業省',
    });

    expect(linkEvidence(mext, meti)).toBeUndefined();
  });

  it('does not link a call with the news of its briefing', () => {
    const round7 = call('令和7年度 地域イノベーション創出支援事業', `${base}a.html`);
    const news = call('令和8年度 地域イノベーション創出支援事業', `${base}b.html`, { kind: 'news' });

    expect(linkEvidence(round7, news)).toBeUndefined();
  });

  it('links detail pages whose paths differ only by year, keeping both years', () => {
    const a = call('研究開発プログラム公募要領', 'https://www.jst.go.jp/koubo/2024/chiiki.html');
    const b = call('研究開発プログラムの公募', 'https://www.jst.go.jp/koubo/2025/chiiki.html');

    expect(linkEvidence(a, b)).toEqual({
      rule: 'path',
      key: 'www.jst.go.jp/koubo/{year}/chiiki.html',
      items: [a.id, b.id],
      differing: ['2024', '2025'],
    });
  });

  it.each([
    [
      'dated press releases',
      'https://www.meti.go.jp/press/2025/06/0619003.html',
      'https://www.meti.go.jp/press/2026/06/0619003.html',
    ],
    [
      'yearly listing pages',
      'https://www.jst.go.jp/koubo/2024/index.html',
      'https://www.jst.go.jp/koubo/2025/index.html',
    ],
  ])('does not link %s by path', (_, a, b) => {
    expect(linkEvidence(call('報道発表 その一', a), call('報道発表 その二', b))).toBeUndefined();
  });

  it('links an explicit program id whatever the titles say', () => {
    const a: SeriesCandidate = { ...call('補助金A', `${base}a.html`), programId: 'S-0000001' };
    const b: SeriesCandidate = { ...call('補助金B（改称）', `${base}b.html`), programId: 'S-0000001' };

    expect(linkEvidence(a, b)?.rule).toBe('program-id');
  });
});

describe('linkEvidence on real titles (REAL_WEB_DIR)', () => {
  const available = realWebAvailable('series on real titles');
  const live = loadRegistry('live');

  /** The saved page's items, as calls (the rules read titles, publisher and links). */
  function realCalls(file: string): Item[] {
    const page = savedPage(file);
    const source = live.sources.find((s) => s.id === page.sourceId);
    if (!source) throw new Error(`no live source ${page.sourceId}`);
    const result = trySource(source, readFileSync(join(realWebDir ?? '', file)), { url: page.url, refDate: page.day });
    return result.items.map((d) =>
      makeItem({ kind: 'call', title: d.title, url: d.url, canonicalUrl: d.url, publisher: source.publisher }),
    );
  }
  const titled = (items: Item[], part: string): Item => {
    const found = items.find((i) => i.title.includes(part));
    if (!found) throw new Error(`no real title with ${part}`);
    return found;
  };

  it.skipIf(!available)('links the numbered meetings of one MAFF headquarters, not its other announcements', () => {
    const maff = realCalls('maff/press-index.html');
    const tenth = titled(maff, '対策本部」（第10回）の開催');
    const eleventh = titled(maff, '対策本部」（第11回）の開催');
    const circulated = titled(maff, '（第2回）の持ち回り開催');
    const joint = titled(maff, '千葉豪雨');

    expect(linkEvidence(tenth, eleventh)).toMatchObject({ rule: 'title', differing: ['第10回', '第11回'] });
    expect(linkEvidence(tenth, circulated)).toBeUndefined();
    expect(linkEvidence(tenth, joint)).toBeUndefined();
    const clusters = clusterSeries(maff);
    const headquarters = clusters.find((c) => c.members.includes(tenth.id));
    expect(headquarters?.members).toContain(eleventh.id);
    expect(headquarters?.members).not.toContain(circulated.id);
  });

  it.skipIf(!available)('keeps apart real titles of one fiscal year that name different things', () => {
    const meti = realCalls('meti/release-atom.xml');
    const mext = realCalls('mext/news-index.rdf');
    const logistics = titled(meti, '令和8年度物流パートナーシップ');
    const others = meti.filter((i) => i.id !== logistics.id);
    const panel = titled(mext, '実践パネル');

    expect(others.map((o) => linkEvidence(logistics, o)).filter(Boolean)).toEqual([]);
    expect(linkEvidence(logistics, panel)).toBeUndefined();
  });
});

describe('clusterSeries', () => {
  const r6 = call('令和6年度 地域イノベーション創出支援事業の公募について', `${base}r6.html`);
  const r7 = call('令和7年度 地域イノベーション創出支援事業の公募について', `${base}r7.html`);
  const r8 = call('令和8年度 地域イノベーション創出支援事業の公募について', `${base}r8.html`);
  const quota = call('令和8年度 地域イノベーション創出支援事業（地域枠）の公募について', `${base}quota.html`);
  const split = (a: Item, b: Item): SeriesOverride => ({
    action: 'split',
    items: a.id < b.id ? [a.id, b.id] : [b.id, a.id],
    at: '2026-12-01T00:00:00Z',
  });

  it('puts three fiscal years of one program in one series and the look-alike in none', () => {
    const clusters = clusterSeries([r6, r7, r8, quota]);

    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.members).toEqual([r6.id, r7.id, r8.id].sort());
    expect(clusters[0]?.evidence).toHaveLength(2);
    expect(clusters[0]?.evidence.every((e) => e.rule === 'title' && e.key === '地域イノベーション創出支援事業')).toBe(
      true,
    );
  });

  it('keeps a split pair apart even when a third round links both sides', () => {
    const clusters = clusterSeries([r6, r7, r8], [split(r6, r8)]);

    const together = clusters.flatMap((c) => (c.members.includes(r6.id) && c.members.includes(r8.id) ? [c] : []));
    expect(together).toEqual([]);
  });

  it('links an operator merge the rules would not', () => {
    const renamed = call('地域イノベーション・エコシステム形成プログラム', `${base}eco.html`);
    const merge: SeriesOverride = {
      action: 'merge',
      items: renamed.id < r6.id ? [renamed.id, r6.id] : [r6.id, renamed.id],
      at: '2026-12-01T00:00:00Z',
    };

    const clusters = clusterSeries([r6, r7, renamed], [merge]);

    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.members).toContain(renamed.id);
    expect(clusters[0]?.evidence.map((e) => e.rule)).toContain('operator-merge');
  });

  it('gives a news item no series keys', () => {
    expect(seriesKeysOf(call('令和8年度 地域イノベーション創出支援事業', `${base}n.html`, { kind: 'news' }))).toEqual(
      [],
    );
  });
});

describe('assignSeriesIds', () => {
  it('keeps the id most members had and gives a split-off part a new one', () => {
    const [a, b, c] = ['https://x.jp/a', 'https://x.jp/b', 'https://x.jp/c'].map(itemIdFor);
    if (!a || !b || !c) throw new Error('three ids expected');
    const old = seriesIdFor(a);
    const previous = new Map([a, b, c].map((id) => [id, old] as const));

    const ids = assignSeriesIds(
      [
        { members: [a], evidence: [] },
        { members: [b, c], evidence: [] },
      ],
      previous,
    );

    expect(ids[1]).toBe(old);
    expect(ids[0]).not.toBe(old);
  });
});
