import { describe, expect, it } from 'vitest';
import { applicantLabel, detectApplicants, type ApplicantType } from '../../../../shared/domain/applicant.js';

const typesOf = (eligibility: string) => detectApplicants({ eligibility })?.types ?? [];

describe('detectApplicants', () => {
  it.each<[string, ApplicantType[]]>([
    ['大学等の研究者と企業の共同提案', ['university', 'consortium']],
    ['国公私立大学、高等専門学校、大学共同利用機関法人', ['university']],
    ['国立研究開発法人、公設試験研究機関', ['public-research']],
    ['中小企業者（みなし大企業を除く）', ['sme']],
    ['中小企業・小規模事業者', ['sme']],
    ['従業員数 300名以下の法人', ['sme']],
    ['従業員数 1,000名以上の企業', ['large-company']],
    ['大企業、中堅企業', ['large-company']],
    ['創業5年以内の中小企業', ['sme', 'startup']],
    ['大学発ベンチャー又はスタートアップ', ['startup']],
    ['都道府県及び市町村', ['local-government']],
    ['都道府県（地域COE構想を持つもの）', ['local-government']],
    ['一般社団法人、一般財団法人、特定非営利活動法人（NPO法人）', ['nonprofit']],
    ['研究者個人', ['individual']],
    ['コンソーシアムを構成する民間企業', ['consortium']],
  ])('reads %s as %j', (eligibility, types) => {
    expect(typesOf(eligibility)).toEqual(types);
  });

  it.each<[string, ApplicantType[]]>([
    ['大企業は対象外', []],
    ['中小企業者（大企業は対象外）', ['sme']],
    ['国立研究開発法人を除く大学等', ['university']],
    ['法人格を有する団体。ただし、大企業及び独立行政法人を除く', []],
    ['対象外：地方公共団体、大企業', []],
    ['単独での応募に限り、共同提案は認めません', []],
    ['都道府県又は政令指定都市が指定する中核機関', []],
    ['地方公共団体が指定する中核機関', []],
    ['地域中核企業が大学・公設試と連携して行う研究開発', []],
    ['中小企業庁が所管する事業者', []],
    ['都道府県内に事業所を有する法人', []],
    ['市町村の区域内に本店を置く中小企業者', ['sme']],
    ['資本金3億円以下の法人', []],
    ['従業員の制約なし', []],
    ['従業員数 900名以下', []],
  ])('names no excluded, partner or designating type in %s', (eligibility, types) => {
    expect(typesOf(eligibility)).toEqual(types);
  });

  it('reads page text only in sentences about applying, keeping the phrase and where it was read', () => {
    const detail = [
      '中央教育審議会大学分科会の審議を踏まえ、地方公共団体と連携します。',
      '本事業は、ベンチャー企業の育成を目的とした産学官の取組です。',
      '応募資格：特定非営利活動法人又は一般社団法人であること。',
      '食文化の海外展開に取り組む外食事業者及び地方公共団体を募集します。',
    ].join('\n');

    const applicants = detectApplicants({ detail });

    expect(applicants).toEqual({
      types: ['local-government', 'nonprofit'],
      evidence: [
        {
          type: 'local-government',
          phrase: '食文化の海外展開に取り組む外食事業者及び地方公共団体を募集します',
          from: 'detail',
        },
        { type: 'nonprofit', phrase: '応募資格:特定非営利活動法人又は一般社団法人であること', from: 'detail' },
      ],
    });
  });

  it('prefers a source field to the eligibility text and both to the page as evidence', () => {
    const applicants = detectApplicants({
      metadata: [{ label: '従業員数', value: '300名以下' }],
      eligibility: '中小企業者',
      detail: '応募資格：中小企業、大学等',
    });

    expect(applicants?.types).toEqual(['university', 'sme']);
    expect(applicants?.evidence).toEqual([
      { type: 'university', phrase: '応募資格:中小企業、大学等', from: 'detail' },
      { type: 'sme', phrase: '従業員数 300名以下', from: 'metadata' },
    ]);
  });

  it('gives undefined when no type is named (unknown, not nobody)', () => {
    expect(
      detectApplicants({ eligibility: '本邦の法人であること', detail: '研究開発を実施する民間事業者を公募します' }),
    ).toBeUndefined();
  });

  it('labels each type in the words a reader uses', () => {
    expect(applicantLabel('public-research')).toBe('国立研究開発法人・公設試');
    expect(applicantLabel('nonprofit')).toBe('NPO・団体');
  });
});
