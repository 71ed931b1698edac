import { loadHtml } from './html-dom.js';
import { parseYen } from '../../../shared/domain/amount.js';
import { normalizeText } from '../../../shared/ja/normalize.js';

/**
 * What a call's own page adds to its list entry: the text the application period and deadline
 * are read from, the budget, who may apply, and whether e-Rad registration is required.
 * Dates are left as text here; `toDraft` reads them through shared/ja.
 */
export interface DetailFacts {
  /** The content text (NFKC, spaces collapsed, one line per block), for dates, prefectures and fields. */
  readonly text: string;
  readonly budgetText?: string;
  readonly budgetYen?: number;
  readonly eligibility?: string;
  readonly requiresERad: boolean;
}

const budgetRe =
  /(?:予算(?:額|規模)?|事業規模|補助上限額?|上限額|助成額|委託費|交付額|研究費)[\s:：]*[\s\S]{0,30}?((?:約)?[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:億|千万|百万|万)?(?:[0-9][0-9,]*\s*(?:千万|百万|万))?円(?:程度|以内)?)/u;

const eligibilityRe =
  /(?:応募資格|申請資格|応募対象|対象者|補助対象者|応募できる者)[\s:：]*([^\n]{4,300}?)(?=\n|応募期間|公募期間|受付期間|締切|予算|問い合わせ|問合せ|提出先|$)/u;

const eRadRe = /e-?Rad|府省共通研究開発管理システム/iu;

/** Budget, eligibility and e-Rad requirement found in plain text. */
export function factsFromText(rawText: string): DetailFacts {
  // Line breaks (block boundaries) are kept: they end an eligibility cell or a label's value.
  const text = rawText
    .split(/\n+/u)
    .map((line) => normalizeText(line))
    .filter(Boolean)
    .join('\n');
  const budget = budgetRe.exec(text)?.[1]?.trim();
  const eligibility = eligibilityRe.exec(text)?.[1]?.trim();
  return {
    text,
    budgetText: budget,
    budgetYen: budget ? parseYen(budget) : undefined,
    eligibility: eligibility || undefined,
    requiresERad: eRadRe.test(text),
  };
}

/** Reads a detail page; `content` narrows to the main content (menus and footers are ignored). */
export function extractDetail(html: string, content?: string): DetailFacts {
  const $ = loadHtml(html);
  $('script, style, noscript').remove();
  const scope = content ? $(content).first() : $('main').first();
  const el = scope.length > 0 ? scope : $('body');
  // Block boundaries become line breaks so labels such as 締切 stay next to their dates.
  el.find('br, p, li, tr, dt, dd, h1, h2, h3, h4, div').each((_, node) => {
    $(node).append('\n');
  });
  return factsFromText(el.text());
}
