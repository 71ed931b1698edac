import { describe, expect, it } from 'vitest';
import { jgrantsItem, parseJgrantsDetail, parseJgrantsList } from '../../../../../functions/crawl/extract/jgrants.js';
import { JgrantsSourceSchema } from '../../../../../shared/domain/source.js';

const source = JgrantsSourceSchema.parse({
  id: 'jgrants',
  name: 'jGrants',
  publisher: 'デジタル庁',
  kind: 'json',
  adapter: 'jgrants',
  url: 'https://api.jgrants-portal.go.jp/exp/v1/public',
  params: { keywords: ['研究開発'] },
});
const [entry] = parseJgrantsList(
  JSON.stringify({ result: [{ id: 'a0W5h00000AB', title: '研究開発補助金', subsidy_max_limit: 1000 }] }),
).entries;
const listed = () => {
  if (!entry) throw new Error('the list fixture parses to one entry');
  return entry;
};
const detailWith = (link: string | null) =>
  parseJgrantsDetail(JSON.stringify({ result: [{ id: 'a0W5h00000AB', front_subsidy_detail_page_url: link }] }));

describe('jgrantsItem', () => {
  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://user:pass@www.jgrants-portal.go.jp/subsidy/a0W5h00000AB',
    'HTTPS://Example.go.jp:443/hojo/公募',
    '',
    null,
  ])('takes the item URL from the listed id, whatever detail-page link the API gives (%j)', (link) => {
    expect(jgrantsItem(source, listed(), detailWith(link)).url).toBe(
      'https://www.jgrants-portal.go.jp/subsidy/a0W5h00000AB',
    );
  });

  it('gives an entry the same URL, so the same item id, with and without its detail', () => {
    const withDetail = jgrantsItem(source, listed(), detailWith('https://www.meti.go.jp/hojo/ab.html'));

    expect(withDetail.url).toBe(jgrantsItem(source, listed()).url);
  });

  it('hands on the fields about applicants and money under their jGrants labels, the detail ones only with the detail', () => {
    const [full] = parseJgrantsList(
      JSON.stringify({
        result: [
          {
            id: 'a0W5h00000CD',
            title: 'ものづくり補助金',
            subsidy_max_limit: 12_500_000,
            target_number_of_employees: '300名以下',
          },
        ],
      }),
    ).entries;
    if (!full) throw new Error('the list fixture parses to one entry');
    const detail = parseJgrantsDetail(
      JSON.stringify({
        result: [{ id: 'a0W5h00000CD', subsidy_rate: '2/3以内', industry: '製造業', use_purpose: null }],
      }),
    );

    expect(jgrantsItem(source, full).metadata).toEqual([
      { label: '従業員数', value: '300名以下' },
      { label: '補助上限額', value: '12,500,000円' },
    ]);
    expect(jgrantsItem(source, full, detail).metadata).toEqual([
      { label: '従業員数', value: '300名以下' },
      { label: '補助上限額', value: '12,500,000円' },
      { label: '補助率', value: '2/3以内' },
      { label: '業種', value: '製造業' },
    ]);
  });

  it('uses the item URL template without a detail', () => {
    expect(jgrantsItem(source, listed()).url).toBe('https://www.jgrants-portal.go.jp/subsidy/a0W5h00000AB');
  });
});
