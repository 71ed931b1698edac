import * as z from 'zod';
import { normalizeText } from '../ja/normalize.js';

/**
 * Money of a call, read from Japanese amount expressions: the most one project may receive
 * (上限額), the least (下限額), the subsidy rate (補助率) and, kept apart, the program's whole
 * budget (総額, 予算額), which says nothing about what one applicant gets.
 */

/** Where a reading came from: the eligibility text, the call's page text, or a source's own field (jGrants). */
export const FactOriginSchema = z.enum(['eligibility', 'detail', 'metadata']);
export type FactOrigin = z.infer<typeof FactOriginSchema>;

/** The amount fields of an item; each evidence entry names the field it decided. */
const amountFields = ['maxPerProjectYen', 'minPerProjectYen', 'subsidyRate', 'programBudgetYen'] as const;

/**
 * 補助率 as a fraction of the eligible cost, `n/d` as printed (`1/2`, `2/3`, `10/10`; 2分の1 is
 * `1/2`), or `fixed` for 定額 (a fixed amount, not a share of the cost).
 */
const SubsidyRateSchema = z.string().regex(/^(?:[1-9][0-9]?\/[1-9][0-9]?|fixed)$/u, 'expected n/d or fixed');

/**
 * What an item says about money. Every field is optional: a field is absent when the text does
 * not state it (unknown), never zero. Amounts are yen per project (1件, 1課題, 1者) over its whole
 * term as printed: 「1課題あたり年間1,000万円程度」 is read as 10,000,000 and the evidence keeps the
 * words 年間 and 程度.
 */
export const ItemAmountSchema = z.strictObject({
  /** 上限額: the most one project may receive. */
  maxPerProjectYen: z.number().int().positive().optional(),
  /** 下限額: the least one project may apply for. */
  minPerProjectYen: z.number().int().positive().optional(),
  subsidyRate: SubsidyRateSchema.optional(),
  /** 総額・予算額: the program's whole budget, shared by every project. */
  programBudgetYen: z.number().int().positive().optional(),
  /** The phrase that decided each field and where it was read. */
  evidence: z
    .array(
      z.strictObject({
        field: z.enum(amountFields),
        phrase: z.string().min(1).max(200),
        from: FactOriginSchema,
      }),
    )
    .min(1),
});
export type ItemAmount = z.infer<typeof ItemAmountSchema>;
type AmountEvidence = ItemAmount['evidence'][number];

const units: Readonly<Record<string, number>> = { 億: 1e8, 千万: 1e7, 百万: 1e6, 万: 1e4, 千: 1e3 };

/** One yen amount as printed: `5,521百万円`, `1億2,000万円`, `500千円`, `30,000,000円`. */
const yenPattern =
  '([0-9][0-9,]*(?:\\.[0-9]+)?)\\s*(億|千万|百万|万|千)?(?:([0-9][0-9,]*(?:\\.[0-9]+)?)\\s*(千万|百万|万))?円';

/**
 * Reads an amount in yen: `5,521百万円` → 5521000000, `1億2,000万円` → 120000000,
 * `3,000万円` → 30000000, `500千円` → 500000. `undefined` when the text holds no amount.
 * @example parseYen('補助上限額：500万円') === 5_000_000
 */
export function parseYen(text: string): number | undefined {
  const m = new RegExp(yenPattern, 'u').exec(normalizeText(text));
  return m ? yenOf(m) : undefined;
}

function yenOf(m: RegExpExecArray): number | undefined {
  const num = (s: string | undefined) => Number((s ?? '0').replace(/,/g, ''));
  const unit = (u: string | undefined) => (u ? (units[u] ?? 1) : 1);
  const total = num(m[1]) * unit(m[2]) + (m[3] ? num(m[3]) * unit(m[4]) : 0);
  return Number.isFinite(total) && total > 0 ? Math.round(total) : undefined;
}

// 1件 (1件あたり, 1件当たり), 1課題, 1者, 1事業者, 1地域, 1機関, 1提案, 1プロジェクト, 1テーマ: one project.
const perProject =
  /(?:1|一)(?:件|課題|者|事業者|事業|地域|機関|提案|プロジェクト|テーマ|チーム|グループ)|あたり|当たり|につき|ごと/u;
const ceilingCue = /上限|最大|限度|まで/u;
const floorCue = /下限|最低|最少/u;
const programCue = /総額|予算(?:額|規模|案|総額)?|事業規模|総事業費|年度予算/u;
// A grant's own amount named without 上限: 助成額 300万円 is what one project receives.
const grantCue = /助成額|補助額|補助金額|交付額|支援額|研究費|委託費|契約額|配分額|補助金/u;
// Amounts that describe the applicant or something else, not the grant: 売上 3,000万円, 資本金3億円以下.
const otherMoney = /売上|売り上げ|資本金|年商|出資|収入|所得|利益|賃金|給与|価格|費用の合計|経常/u;

/**
 * The per-project ceiling and floor, the program budget and the subsidy rate found in `text`.
 * An amount counts only with a cue in its own clause (上限, 最大, 以内, 1件あたり, 下限, 以上,
 * 総額, 予算額, 助成額 ...); an amount of something else (売上, 資本金) or without a cue is left
 * out. A per-project cue beats a budget word: 「予算額：1課題あたり年間2億円以内」 is a ceiling,
 * 「1課題あたり総額最大3億円」 too. Several ceilings (枠 by 枠) give the largest, several floors the
 * smallest, several rates the highest (`fixed` above any fraction). `undefined` when nothing is
 * stated.
 * @example readAmounts('補助上限額：500万円 補助率：2/3以内', 'detail')
 *   // { maxPerProjectYen: 5000000, subsidyRate: '2/3', evidence: [...] }
 */
export function readAmounts(rawText: string, from: FactOrigin): ItemAmount | undefined {
  const text = normalizeText(rawText.replace(/\n/gu, '。'));
  const found: Found = {};
  const keep: Keep = (field, value, phrase) => {
    const seen = found[field];
    const better =
      !seen ||
      (field === 'maxPerProjectYen' && value > seen.value) ||
      (field === 'minPerProjectYen' && value < seen.value) ||
      (field === 'subsidyRate' && rateValue(String(value)) > rateValue(String(seen.value)));
    if (better) found[field] = { value, phrase: phrase.trim().slice(0, 200) };
  };
  yenAmountsIn(text, keep);
  ratesIn(text, keep);

  const evidence: AmountEvidence[] = [];
  const out: Record<string, unknown> = {};
  for (const field of amountFields) {
    const hit = found[field];
    if (!hit) continue;
    out[field] = hit.value;
    evidence.push({ field, phrase: hit.phrase, from });
  }
  if (evidence.length === 0) return undefined;
  return ItemAmountSchema.parse({ ...out, evidence });
}

type AmountField = (typeof amountFields)[number];
type Found = Partial<Record<AmountField, { value: number | string; phrase: string }>>;
type Keep = (field: AmountField, value: number | string, phrase: string) => void;

/** Each yen amount with a cue in its clause, by what the cue says it is. */
function yenAmountsIn(text: string, keep: Keep): void {
  const yen = new RegExp(yenPattern, 'gu');
  let previousEnd = 0;
  let previousField: AmountField | undefined;
  let previousPhraseStart = 0;
  for (let m = yen.exec(text); m; m = yen.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    const clauseStart = Math.max(previousEnd, text.lastIndexOf('。', start) + 1, start - 40);
    // The upper end of a range (750万円~1,250万円) is what its lower end is.
    const rangeEnd = previousEnd > 0 && /^\s*(?:~|〜|-|から)\s*$/u.test(text.slice(previousEnd, start));
    previousEnd = end;
    const before = text.slice(clauseStart, start);
    const after = /^[^。、,()（）]{0,12}/u.exec(text.slice(end))?.[0] ?? '';
    const value = yenOf(m);
    if (value === undefined || otherMoney.test(before.slice(-12)) || otherMoney.test(after)) {
      previousField = undefined;
      continue;
    }
    const phraseStart = rangeEnd
      ? previousPhraseStart
      : clauseStart + Math.max(...['(', '（', '、', ','].map((c) => before.lastIndexOf(c))) + 1;
    previousPhraseStart = phraseStart;
    const phrase = `${text.slice(phraseStart, end).trimStart()}${/^(?:程度|以内|以下|以上|まで|を上限)?/u.exec(after)?.[0] ?? ''}`;
    const field = rangeEnd && previousField ? previousField : fieldOf(before, after);
    previousField = field;
    if (field) keep(field, value, phrase);
  }
}

/** What an amount is, from the words before and after it; `undefined` without a cue. */
function fieldOf(before: string, after: string): AmountField | undefined {
  const perProjectCue = perProject.test(before);
  if (floorCue.test(before) || /^(?:以上|から)/u.test(after)) return 'minPerProjectYen';
  if (!perProjectCue && programCue.test(before)) return 'programBudgetYen';
  if (perProjectCue || ceilingCue.test(before) || grantCue.test(before) || /^(?:以内|以下|まで|を上限)/u.test(after))
    return 'maxPerProjectYen';
  return undefined;
}

const shareRe = /定額|([0-9]{1,2})\s*\/\s*([0-9]{1,2})|([0-9]{1,2})分の([0-9]{1,2})/gu;

/**
 * Subsidy rates: every share in the clause after 補助率 (「補助率：中小企業 1/2、小規模事業者 2/3」
 * gives both), and a share with 以内 after a cost word without the label (「経費の2分の1以内を補助」).
 */
function ratesIn(text: string, keep: Keep): void {
  const share = (m: RegExpExecArray) => (m[0] === '定額' ? 'fixed' : m[1] ? `${m[1]}/${m[2]}` : `${m[4]}/${m[3]}`);
  const valid = (rate: string) => rate === 'fixed' || (rateValue(rate) > 0 && rateValue(rate) <= 1);
  const label = /補助率|助成率|交付率|補助割合/gu;
  for (let l = label.exec(text); l; l = label.exec(text)) {
    const clause = /^[^。]{0,40}/u.exec(text.slice(l.index))?.[0] ?? '';
    const shares = new RegExp(shareRe.source, 'gu');
    for (let m = shares.exec(clause); m; m = shares.exec(clause))
      if (valid(share(m)))
        keep('subsidyRate', share(m), clause.slice(0, m.index + m[0].length + 2).replace(/[、,]$/u, ''));
  }
  const unlabelled = /(?:([0-9]{1,2})\s*\/\s*([0-9]{1,2})|([0-9]{1,2})分の([0-9]{1,2}))以内/gu;
  for (let m = unlabelled.exec(text); m; m = unlabelled.exec(text)) {
    const before = text.slice(Math.max(0, text.lastIndexOf('。', m.index) + 1, m.index - 20), m.index);
    const rate = m[1] ? `${m[1]}/${m[2]}` : `${m[4]}/${m[3]}`;
    if (/補助|助成|経費|費用/u.test(before) && valid(rate)) keep('subsidyRate', rate, `${before.slice(-10)}${m[0]}`);
  }
}

/** 0..1 for a fraction, 1.01 for `fixed` (a whole fixed amount ranks above any share). */
function rateValue(rate: string): number {
  if (rate === 'fixed') return 1.01;
  const [n, d] = rate.split('/').map(Number);
  return n !== undefined && d ? n / d : 0;
}

/**
 * Amounts read from several texts, earlier ones first: a field an earlier reading gives is kept
 * with its evidence, a later one only fills the gaps (the jGrants field before the page's prose).
 */
export function mergeAmounts(readings: readonly (ItemAmount | undefined)[]): ItemAmount | undefined {
  const out: Record<string, unknown> = {};
  const evidence: AmountEvidence[] = [];
  for (const reading of readings) {
    if (!reading) continue;
    for (const field of amountFields) {
      if (out[field] !== undefined || reading[field] === undefined) continue;
      out[field] = reading[field];
      evidence.push(...reading.evidence.filter((e) => e.field === field));
    }
  }
  evidence.sort((a, b) => amountFields.indexOf(a.field) - amountFields.indexOf(b.field));
  return evidence.length > 0 ? ItemAmountSchema.parse({ ...out, evidence }) : undefined;
}
