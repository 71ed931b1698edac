import * as z from 'zod';
import { normalizeText } from '../ja/normalize.js';
import { FactOriginSchema, type FactOrigin } from './amount.js';

/**
 * Who may apply for a call (応募できる者), as a small taxonomy in the spirit of Grants.gov's
 * applicant eligibility codes and jGrants' 対象: ids are stable API values, labels are what a
 * reader sees.
 */
export const ApplicantTypeSchema = z.enum([
  'university',
  'public-research',
  'sme',
  'large-company',
  'startup',
  'local-government',
  'nonprofit',
  'individual',
  'consortium',
]);
export type ApplicantType = z.infer<typeof ApplicantTypeSchema>;

/** The reader's words for each type. */
const applicantLabels: Readonly<Record<ApplicantType, string>> = {
  university: '大学・高専',
  'public-research': '国立研究開発法人・公設試',
  sme: '中小企業',
  'large-company': '大企業',
  startup: 'スタートアップ',
  'local-government': '自治体',
  nonprofit: 'NPO・団体',
  individual: '個人・研究者',
  consortium: 'コンソーシアム',
};

/**
 * The applicant types a call names, in taxonomy order, each with the phrase that decided it and
 * where it was read (`eligibility`: the 応募資格 text; `detail`: a sentence of the call's page that
 * speaks of applying; `metadata`: a source's own field such as jGrants' 従業員数). Absent on an
 * item when nothing was recognised: unknown, not "nobody".
 */
export const ItemApplicantsSchema = z.strictObject({
  types: z.array(ApplicantTypeSchema).min(1),
  evidence: z
    .array(z.strictObject({ type: ApplicantTypeSchema, phrase: z.string().min(1).max(200), from: FactOriginSchema }))
    .min(1),
});
export type ItemApplicants = z.infer<typeof ItemApplicantsSchema>;

/** The words of each type (NFKC text). A function pattern reads a number (従業員数 300名以下). */
const patterns: readonly { type: ApplicantType; re: RegExp; when?: (m: RegExpExecArray) => boolean }[] = [
  { type: 'university', re: /大学(?!発|校|分科会|部会)(?:等|・高専)?|高等専門学校|高専|大学共同利用機関/gu },
  {
    type: 'public-research',
    re: /国立研究開発法人|公設試験研究機関|公設試|(?:地方)?独立行政法人|公的研究機関|国公立(?:の)?試験研究機関/gu,
  },
  { type: 'sme', re: /中小企業(?!庁|基盤整備機構)(?:者)?|小規模事業者|個人事業主|中堅・中小企業/gu },
  {
    type: 'sme',
    re: /従業員(?:数)?[\s:：は]*([0-9,]+)\s*(?:名|人)以下/gu,
    when: (m) => Number((m[1] ?? '').replace(/,/g, '')) <= 300,
  },
  { type: 'large-company', re: /大企業|大手企業/gu },
  {
    type: 'large-company',
    re: /従業員(?:数)?[\s:：は]*([0-9,]+)\s*(?:名|人)(?:以上|超)/gu,
    when: (m) => Number((m[1] ?? '').replace(/,/g, '')) > 300,
  },
  {
    type: 'startup',
    re: /スタートアップ|ベンチャー(?:企業)?|創業(?:[0-9]+年以内|予定者?|者|間もない)|起業(?:家|予定者?|者)|設立[0-9]+年(?:以内|未満)/gu,
  },
  { type: 'local-government', re: /地方公共団体|地方自治体|自治体|都道府県|市区町村|市町村|政令(?:指定)?都市/gu },
  {
    type: 'nonprofit',
    re: /特定非営利活動法人|NPO(?:法人)?|(?:一般|公益)(?:社団|財団)法人|社団法人|財団法人|民間団体|任意団体|協同組合/gu,
  },
  { type: 'individual', re: /研究者個人|個人研究者|個人(?:で|として)(?:の)?(?:応募|申請)|個人(?:の)?研究者/gu },
  { type: 'consortium', re: /コンソーシアム|共同提案|共同申請|共同事業体|共同研究体|連携体/gu },
];

// After a match: the type is excluded (大企業は対象外, 大学を除く, 共同提案は認めません), a partner
// (大学・公設試と連携して), or the one who designates the applicant (都道府県が指定する中核機関).
const optionalTail = '(?:[(（][^)）]{0,30}[)）])?(?:等|など)?';
const excludedAfter = new RegExp(
  `^${optionalTail}(?:(?:及び|並びに|や|・|、)[^、。]{0,15}?)?(?:は|を|も)?(?:除く|除き|除いた|対象外|対象と(?:しない|しません|なりません|ならない)|応募(?:は)?できません|申請(?:は)?できません|不可|認め(?:ない|ません|られません)|含まない|含みません)`,
  'u',
);
const partnerAfter = new RegExp(
  `^${optionalTail}(?:(?:及び|並びに|や|・|、)[^、。]{0,15}?)?(?:と|との)(?:の)?(?:連携|共同|協力|協働)`,
  'u',
);
const designatorAfter = new RegExp(
  `^${optionalTail}(?:(?:又は|または|及び|・|、)[^、。]{0,15}?)?(?:が|の)(?:指定|推薦|認定|選定|設置|出資)`,
  'u',
);
// After a place word: where the applicant is, not who (都道府県内に事業所を有する中小企業).
const placeAfter = /^(?:等)?(?:内|の区域|の域内|に(?:所在|本社|本店|事業所|主たる|拠点))/u;
// Before a match on the same line: a list of who may not apply (対象外：大企業).
const excludedBefore = /(?:対象外|除外|対象とならない|応募できない|申請できない)[^。\n]{0,40}$/u;

// A page sentence speaks of applying when it names a role or an act of applying, or whose work
// a call pays for (中小企業等が行う研究開発を補助します).
const applyingSentence =
  /応募資格|申請資格|応募要件|申請要件|参加資格|応募対象|対象者|補助対象者|交付対象者|支援対象|対象と(?:します|する|なります|なる)|を対象に|応募者|申請者|提案者|応募でき|申請でき|提案でき|応募可能|を募集|公募します|実施機関|(?:が|の)(?:行う|実施する|取り組む)[^。]{0,40}?を(?:補助|助成|支援)/u;

/** Where applicant text comes from, in the order its evidence is preferred. */
interface ApplicantTexts {
  /** Label and value of a source's own fields: `{ label: '従業員数', value: '300名以下' }`. */
  readonly metadata?: readonly { readonly label: string; readonly value: string }[];
  readonly eligibility?: string;
  /** The call's page text (detail page, API description, list summary); only applying sentences count. */
  readonly detail?: string;
}

/**
 * The applicant types a call names. A source's fields and the eligibility text are read whole; page text only in
 * sentences that speak of applying (応募資格, 対象者, を対象とします, を募集 ...), so 「大学分科会を
 * 開催します」 or a partner in a project description names nobody. A type that is excluded
 * (「大企業は対象外」「大学を除く」, 「中小企業（みなし大企業を除く）」 excludes only 大企業), a partner
 * (「大学・公設試と連携して」), a designator (「都道府県が指定する中核機関」) or a place (「都道府県内に事業所を有する」) is not an applicant.
 * `undefined` when no type is found.
 * @example detectApplicants({ eligibility: '中小企業者（みなし大企業を除く）' })?.types // ['sme']
 */
export function detectApplicants(texts: ApplicantTexts): ItemApplicants | undefined {
  const evidence = new Map<ApplicantType, ItemApplicants['evidence'][number]>();
  const read = (text: string, from: FactOrigin, sentenceFilter: boolean) => {
    for (const sentence of normalizeText(text.replace(/\n/gu, '。')).split(/。/u)) {
      if (sentenceFilter && !applyingSentence.test(sentence)) continue;
      for (const hit of typesIn(sentence)) if (!evidence.has(hit.type)) evidence.set(hit.type, { ...hit, from });
    }
  };
  for (const { label, value } of texts.metadata ?? []) read(`${label} ${value}`, 'metadata', false);
  if (texts.eligibility) read(texts.eligibility, 'eligibility', false);
  if (texts.detail) read(texts.detail, 'detail', true);
  if (evidence.size === 0) return undefined;
  const types = ApplicantTypeSchema.options.filter((id) => evidence.has(id));
  return { types, evidence: types.map((t) => evidence.get(t)).filter((e) => e !== undefined) };
}

/** Each type named in one sentence and not excluded there, with its phrase. */
function typesIn(sentence: string): { type: ApplicantType; phrase: string }[] {
  const out: { type: ApplicantType; phrase: string }[] = [];
  for (const { type, re, when } of patterns) {
    re.lastIndex = 0;
    for (let m = re.exec(sentence); m; m = re.exec(sentence)) {
      const after = sentence.slice(m.index + m[0].length);
      const before = sentence.slice(0, m.index);
      if (when && !when(m)) continue;
      if (excludedAfter.test(after) || partnerAfter.test(after) || designatorAfter.test(after)) continue;
      if (type === 'local-government' && placeAfter.test(after)) continue;
      if (excludedBefore.test(before) || insideExclusion(before)) continue;
      out.push({ type, phrase: phraseAround(sentence, m.index, m.index + m[0].length) });
      break;
    }
  }
  return out;
}

/** Whether the match stands in a parenthesis that excludes: 「（みなし大企業を除く）」 names no 大企業. */
function insideExclusion(before: string): boolean {
  const open = Math.max(before.lastIndexOf('('), before.lastIndexOf('（'));
  const close = Math.max(before.lastIndexOf(')'), before.lastIndexOf('）'));
  return open > close && /(?:みなし|除く|除き|以外)/u.test(before.slice(open));
}

/** The sentence of a match, or up to 30 characters on each side of it in a long sentence, for a reader to check. */
function phraseAround(sentence: string, start: number, end: number): string {
  if (sentence.length <= 80) return sentence.trim();
  return sentence.slice(Math.max(0, start - 30), Math.min(sentence.length, end + 30)).trim();
}

/** The Japanese label of an applicant type. */
export function applicantLabel(type: ApplicantType): string {
  return applicantLabels[type];
}
