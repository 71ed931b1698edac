import { mergeAmounts, readAmounts } from '../../../shared/domain/amount.js';
import { detectApplicants } from '../../../shared/domain/applicant.js';
import { ItemDraftSchema, type ItemDraft } from '../../../shared/domain/item.js';
import type { Source } from '../../../shared/domain/source.js';
import { startOfDay, tokyoInstant } from '../../../shared/ja/calendar.js';
import { findPeriod, parseDateRange } from '../../../shared/ja/date-range.js';
import { findDeadline } from '../../../shared/ja/deadline.js';
import { parseJapaneseDate } from '../../../shared/ja/japanese-date.js';
import { foldForMatch, normalizeText, stripControls } from '../../../shared/ja/normalize.js';
import { warekiToGregorianYear } from '../../../shared/ja/wareki.js';
import { classifyKind } from './classify.js';
import { detectFacts } from './detect.js';
import type { DetailFacts } from '../extract/detail.js';
import type { ExtractedItem } from '../extract/extracted-item.js';
import { canonicalUrl } from '../fetch/urls.js';

export interface DraftContext {
  readonly source: Source;
  /** When the item was seen (the run's start), ISO. */
  readonly seenAt: string;
  /** Reference day for year-less dates (the crawl's day, or `--ref-date`). */
  readonly refDate: Date | string;
  /** Facts read from the item's own page this run. */
  readonly detail?: DetailFacts;
}

export type DraftOutcome =
  | { readonly ok: true; readonly draft: ItemDraft }
  | { readonly ok: false; readonly url: string; readonly reason: string };

/** Whether a title passes the source's include/exclude keyword rules (NFKC, case-insensitive). */
export function passesKeywords(source: Source, title: string): boolean {
  const rules = source.keywords;
  if (!rules) return true;
  const text = foldForMatch(title);
  if (rules.exclude?.some((w) => text.includes(foldForMatch(w)))) return false;
  if (rules.include && !rules.include.some((w) => text.includes(foldForMatch(w)))) return false;
  return true;
}

/** The year a heading such as 令和8年8月分 or 2026年8月 names. */
function contextYear(context: string | undefined): number | undefined {
  if (!context) return undefined;
  const t = normalizeText(context);
  const era = /(明治|大正|昭和|平成|令和)(元|\d+)年/u.exec(t);
  if (era) {
    try {
      return warekiToGregorianYear(era[1] ?? '', era[2] === '元' ? '元' : Number(era[2]));
    } catch {
      return undefined;
    }
  }
  const western = /(\d{4})年/u.exec(t);
  return western ? Number(western[1]) : undefined;
}

function listedDate(item: ExtractedItem, ref: Date | string): string | undefined {
  if (item.publishedAt) return item.publishedAt;
  if (!item.dateText) return undefined;
  try {
    const parsed = parseJapaneseDate(item.dateText, { ref, year: contextYear(item.dateContext), policy: 'listing' });
    return tokyoInstant(parsed.date, parsed.time ?? startOfDay);
  } catch {
    return undefined;
  }
}

function cap(text: string | undefined, max: number): string | undefined {
  if (!text) return undefined;
  const t = normalizeText(text);
  return t ? t.slice(0, max) : undefined;
}

/** The entry (its source fields too) and detail facts with control characters removed from every text (see `stripControls`). */
function withoutControls(
  item: ExtractedItem,
  detail: DetailFacts | undefined,
): { item: ExtractedItem; detail: DetailFacts | undefined } {
  const clean = <T extends object>(value: T): T =>
    Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, key !== 'url' && typeof v === 'string' ? stripControls(v) : v]),
    ) as T;
  const metadata = item.metadata?.map((f) => ({ label: stripControls(f.label), value: stripControls(f.value) }));
  return { item: { ...clean(item), ...(metadata ? { metadata } : {}) }, detail: detail && clean(detail) };
}

/**
 * Who may apply and how much, for a call: a source's own fields first, then the eligibility text,
 * then the sentences of its page text (title, summary, detail) that speak of applying or money.
 */
export function callFacts(
  item: ExtractedItem,
  eligibility: string | undefined,
  pageTexts: readonly (string | undefined)[],
): Pick<ItemDraft, 'applicants' | 'amount'> {
  const page = pageTexts.filter(Boolean).join('\n');
  const metadata = item.metadata ?? [];
  const applicants = detectApplicants({ metadata, eligibility, detail: page });
  const amount = mergeAmounts([
    metadata.length > 0 ? readAmounts(metadata.map((f) => `${f.label} ${f.value}`).join('\n'), 'metadata') : undefined,
    eligibility ? readAmounts(eligibility, 'eligibility') : undefined,
    readAmounts(page, 'detail'),
  ]);
  return { ...(applicants ? { applicants } : {}), ...(amount ? { amount } : {}) };
}

/**
 * Turns an extracted entry into a validated `ItemDraft`: canonical URL, dates through shared/ja
 * (year-less list dates take the year of their heading or of `refDate`), the application period
 * from the entry's period cell, the API, or the detail page, kind classification, prefectures,
 * regions and fields from the text, ministry from the source or host. A draft that fails
 * `ItemDraftSchema` comes back as `{ ok: false }` with the reason: it is counted, never stored.
 * Control characters are removed from every text first; the title keeps its printed characters
 * otherwise (only its ends are trimmed).
 */
export function toDraft(extracted: ExtractedItem, ctx: DraftContext): DraftOutcome {
  const { source } = ctx;
  const { item, detail } = withoutControls(extracted, ctx.detail);
  let canonical: string;
  try {
    canonical = canonicalUrl(item.url, { https: source.canonicalHttps });
  } catch {
    return { ok: false, url: item.url, reason: `link "${item.url}" is not a URL` };
  }
  const title = item.title.trim();
  const summary = cap(item.summary, 5000);
  const kind = item.kindHint ?? classifyKind(title, source.defaultKind, summary);

  let opensAt = item.opensAt;
  let closesAt = item.closesAt;
  if (item.periodText && (!opensAt || !closesAt)) {
    try {
      const range = parseDateRange(item.periodText, { ref: ctx.refDate });
      opensAt ??= range.start;
      closesAt ??= range.end;
    } catch {
      const deadline = findDeadline(item.periodText, ctx.refDate);
      closesAt ??= deadline?.at;
    }
  }
  if (detail) {
    // The call's own page is the authority: its deadline carries the time (正午, 17時必着) a list omits.
    const period = findPeriod(detail.text, ctx.refDate);
    const deadline = findDeadline(detail.text, ctx.refDate);
    opensAt ??= period?.start;
    closesAt = deadline?.at ?? closesAt ?? period?.end;
  } else if (kind === 'call' && summary && (!opensAt || !closesAt)) {
    const period = findPeriod(summary, ctx.refDate);
    const deadline = findDeadline(summary, ctx.refDate);
    opensAt ??= period?.start;
    closesAt ??= deadline?.at ?? period?.end;
  }

  const bodyText = cap([item.bodyText, detail?.text].filter(Boolean).join('\n'), 100_000);
  const facts = detectFacts({
    text: [title, summary, bodyText, item.areaText].filter(Boolean).join('\n'),
    url: canonical,
    sourcePrefectures: source.prefectures,
  });
  const budgetText = item.budgetText ?? detail?.budgetText;
  const budgetYen = item.budgetYen ?? detail?.budgetYen;
  const eligibility = cap(item.eligibility ?? detail?.eligibility, 5000);
  // Page text with its line breaks: a line (a table cell, a paragraph) ends a sentence.
  const callFactsOf =
    kind === 'call' ? callFacts(item, eligibility, [title, summary, item.bodyText, detail?.text]) : {};
  const eRad = detail?.requiresERad || /e-?Rad|府省共通研究開発管理システム/iu.test(bodyText ?? '');

  const candidate = {
    kind,
    title,
    url: item.url,
    canonicalUrl: canonical,
    summary,
    bodyText,
    publisher: source.publisher,
    ministry: source.ministry ?? facts.ministry,
    prefectures: facts.prefectures,
    regions: facts.regions,
    fields: facts.fields,
    publishedAt: listedDate(item, ctx.refDate),
    opensAt,
    closesAt,
    budget: budgetText
      ? { text: normalizeText(budgetText), ...(budgetYen !== undefined ? { amountYen: budgetYen } : {}) }
      : undefined,
    eligibility,
    ...callFactsOf,
    requiresRegistration: eRad ? ('e-rad' as const) : undefined,
    sourceId: source.id,
    seenAt: ctx.seenAt,
  };
  for (const key of Object.keys(candidate) as (keyof typeof candidate)[])
    if (candidate[key] === undefined) delete candidate[key];
  const parsed = ItemDraftSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, url: item.url, reason: `${issue?.path.join('.') || '(item)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, draft: parsed.data };
}
