import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractDetail } from '../../../../../functions/crawl/extract/detail.js';
import { extractPage } from '../../../../../functions/crawl/extract/extract-page.js';
import { jgrantsItem, parseJgrantsDetail, parseJgrantsList } from '../../../../../functions/crawl/extract/jgrants.js';
import { extractListing } from '../../../../../functions/crawl/run/listing.js';
import { toDraft } from '../../../../../functions/crawl/run/to-draft.js';
import type { ItemDraft } from '../../../../../shared/domain/item.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { loadRegistry } from '../../../../../shared/sources/registry.js';
import { realWebAvailable, realWebDir, savedPages } from '../../../../support/real-web.js';

/**
 * Who may apply and how much, as a crawl stores them: the sample sites' calls (detail pages and
 * the jGrants API, read from infra/local/sample-sites) and every item of the saved real pages.
 */
const sites = fileURLToPath(new URL('../../../../../infra/local/sample-sites/', import.meta.url));
const sample = loadRegistry('sample', { sampleHost: 'localhost:4010' });
const sourceOf = (registry: typeof sample, id: string): Source => {
  const source = registry.sources.find((s) => s.id === id);
  if (!source) throw new Error(`no source ${id}`);
  return source;
};
const ctx = { seenAt: '2026-11-28T00:00:00.000Z', refDate: '2026-11-28' };
const draftOf = (outcome: ReturnType<typeof toDraft>): ItemDraft => {
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.draft;
};
const summary = (d: ItemDraft) => ({
  types: d.applicants?.types,
  max: d.amount?.maxPerProjectYen,
  min: d.amount?.minPerProjectYen,
  rate: d.amount?.subsidyRate,
  program: d.amount?.programBudgetYen,
});

describe('applicants and amount of the sample calls', () => {
  it('reads each JST detail page: types, ceilings kept apart from the program budget, exclusions honoured', () => {
    const source = sourceOf(sample, 'sample-jst-koubo');
    const list = extractPage(source, readFileSync(join(sites, 'jst-koubo/koubo/index.html'), 'utf8'), source.url);

    const byPage = Object.fromEntries(
      list.items.map((item) => {
        const page = new URL(item.url).pathname.replace('/koubo/', '');
        const detail = extractDetail(readFileSync(join(sites, 'jst-koubo/koubo', page), 'utf8'), '#content');
        return [page, draftOf(toDraft(item, { ...ctx, source, detail }))];
      }),
    );

    expect(Object.fromEntries(Object.entries(byPage).map(([page, d]) => [page, summary(d)]))).toEqual({
      'toshi_area_2027.html': {
        types: ['university', 'public-research', 'consortium'],
        max: 100_000_000,
        min: undefined,
        rate: undefined,
        program: 2_420_000_000,
      },
      'chiiki_kesshu.html': {
        types: ['local-government'],
        max: 200_000_000,
        min: undefined,
        rate: undefined,
        program: undefined,
      },
      'chiiki_innovation_cluster.html': {
        types: undefined,
        max: 500_000_000,
        min: undefined,
        rate: undefined,
        program: 4_830_000_000,
      },
      'a_step_2027.html': {
        types: ['university', 'sme', 'startup', 'consortium'],
        max: 300_000_000,
        min: 10_000_000,
        rate: undefined,
        program: undefined,
      },
    });
    expect(byPage['a_step_2027.html']?.applicants?.evidence).toContainEqual({
      type: 'startup',
      phrase: '企業側の提案者は中小企業又はスタートアップ(設立10年以内)とし、大企業は対象外とします',
      from: 'detail',
    });
    // The old budget field still holds the first labelled amount, for existing readers.
    expect(byPage['toshi_area_2027.html']?.budget).toEqual({
      text: '1億円程度',
      amountYen: 100_000_000,
    });
  });

  it('reads the jGrants fields as metadata and fills the rest from the description', () => {
    const source = sourceOf(sample, 'sample-jgrants');
    if (source.kind !== 'json' || source.adapter !== 'jgrants')
      throw new Error('sample-jgrants is the jGrants adapter');
    const api = join(sites, 'jgrants-api/exp/v1/public');
    const { entries } = parseJgrantsList(readFileSync(join(api, 'subsidies'), 'utf8'));

    const drafts = entries.map((entry) => {
      const detail = parseJgrantsDetail(readFileSync(join(api, 'subsidies-id', `${entry.id}.json`), 'utf8'));
      return draftOf(toDraft(jgrantsItem(source, entry, detail), { ...ctx, source }));
    });

    expect(drafts.map(summary)).toEqual([
      { types: undefined, max: 30_000_000, min: undefined, rate: '2/3', program: undefined },
      { types: ['sme', 'nonprofit'], max: 12_500_000, min: 1_000_000, rate: '1/2', program: undefined },
      { types: ['sme'], max: 50_000_000, min: undefined, rate: '1/2', program: undefined },
      {
        types: ['university', 'public-research', 'sme', 'consortium'],
        max: 10_000_000,
        min: undefined,
        rate: '1/2',
        program: undefined,
      },
    ]);
    expect(drafts[1]?.applicants?.evidence[0]).toEqual({ type: 'sme', phrase: '従業員数 300名以下', from: 'metadata' });
    expect(drafts[1]?.amount?.evidence).toEqual([
      { field: 'maxPerProjectYen', phrase: '補助上限額 12,500,000円', from: 'metadata' },
      { field: 'minPerProjectYen', phrase: '下限100万円', from: 'detail' },
      { field: 'subsidyRate', phrase: '補助率 1/2', from: 'metadata' },
    ]);
  });

  it('gives a list entry without a detail page the facts of its own summary, and news none', () => {
    const source = sourceOf(sample, 'sample-jst-koubo');
    const entry = { title: '地域産業支援事業の公募', url: 'http://jst-koubo.localhost:4010/koubo/x.html' };

    const call = draftOf(
      toDraft({ ...entry, summary: '応募資格：中小企業者。補助上限額：500万円、補助率：2/3以内' }, { ...ctx, source }),
    );
    const news = draftOf(
      toDraft({ ...entry, kindHint: 'news', summary: '応募資格：中小企業者。補助上限額：500万円' }, { ...ctx, source }),
    );

    expect(summary(call)).toEqual({ types: ['sme'], max: 5_000_000, min: undefined, rate: '2/3', program: undefined });
    expect(news.applicants).toBeUndefined();
    expect(news.amount).toBeUndefined();
  });
});

const available = realWebAvailable('applicants and amounts on saved real pages');

describe.skipIf(!available)('applicants and amount on saved real pages (REAL_WEB_DIR)', () => {
  const live = loadRegistry('live');
  const drafts = savedPages.flatMap((c) => {
    const source = sourceOf(live, c.sourceId);
    const text = new TextDecoder(c.file.startsWith('mlit/') ? 'shift_jis' : 'utf-8').decode(
      readFileSync(join(realWebDir ?? '', c.file)),
    );
    const page = extractPage(source, text, c.url);
    const seenAt = new Date(`${c.day}T12:00:00+09:00`).toISOString();
    return extractListing([page], { source, seenAt, refDate: c.day, pageUrls: [c.url] }).drafts;
  });

  it('names the applicants a real call title asks for, and nobody in news that only mentions them', () => {
    const named = drafts.filter((d) => d.applicants).map((d) => [d.title, d.applicants]);
    const mentions = drafts.filter((d) =>
      /大学|高等専門学校|中小企業|ベンチャー|スタートアップ|地方公共団体/u.test(d.title),
    );

    expect(named).toEqual([
      [
        '食文化の海外展開・インバウンド拡大に取り組む外食事業者及び地方公共団体を募集・支援します',
        {
          types: ['local-government'],
          evidence: [
            {
              type: 'local-government',
              phrase: '食文化の海外展開・インバウンド拡大に取り組む外食事業者及び地方公共団体を募集・支援します',
              from: 'detail',
            },
          ],
        },
      ],
    ]);
    // The false friends are there: 大学分科会, 高等専門学校の検討会, 大学発ベンチャー調査, 被災中小企業支援措置 ...
    expect(mentions.length).toBeGreaterThanOrEqual(6);
  });

  it('reads no amount from real titles and summaries that state none', () => {
    expect(drafts.filter((d) => d.amount).map((d) => d.title)).toEqual([]);
  });
});
