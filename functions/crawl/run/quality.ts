import type { QualityProblem, QualityReport } from '../../../shared/domain/crawl-run.js';
import type { ItemDraft } from '../../../shared/domain/item.js';
import { hostsOf, type QualityGate, type Source } from '../../../shared/domain/source.js';
import { foldForMatch } from '../../../shared/ja/normalize.js';
import type { DropReason, DroppedEntry } from '../extract/extracted-item.js';

/**
 * The quality gate: what one extraction of a source gave, measured, and whether it may be
 * published. A wrong title or link selector shows as entries dropped; a wrong date selector as
 * undated items; a selector that catches a site's menus as navigation-like links; a redesign
 * that loses most of a list as a count far below the source's recent runs. A run that fails its
 * gate publishes nothing (the crawl records it `suspect`); `chiiki source try` prints the same
 * report. Pure and cheap: one pass over the drafts (test/bench/extract.ts measures it).
 */

/** The gate with every threshold filled in for one source. */
export type ResolvedGate = Required<QualityGate>;

/** The defaults (see `QualityGateSchema`), by source kind: APIs give no publication dates. */
export function gateOf(source: Source): ResolvedGate {
  const q = source.quality ?? {};
  return {
    minItems: q.minItems ?? (source.kind === 'html-list' ? 1 : 0),
    maxDroppedShare: q.maxDroppedShare ?? 0.3,
    minDatedShare: q.minDatedShare ?? (source.kind === 'json' ? 0 : 0.8),
    minDeadlineShare: q.minDeadlineShare ?? 0,
    maxNavigationShare: q.maxNavigationShare ?? 0.1,
    maxOffHostShare: q.maxOffHostShare ?? 1,
    maxDuplicateTitleShare: q.maxDuplicateTitleShare ?? 0.3,
    minCountRatio: q.minCountRatio ?? 0.2,
  };
}

/** What a run extracted, as the gate needs it. */
export interface QualityInput {
  readonly source: Source;
  /** The drafts that would be published, in listing order. */
  readonly drafts: readonly ItemDraft[];
  /** Every entry that did not become a draft, with its reason. */
  readonly dropped: readonly DroppedEntry[];
  /** Entries whose printed date could not be read (their drafts are undated). */
  readonly unreadableDates: number;
  /** The URLs of the listing's pages, in order (the first is the list itself). */
  readonly pageUrls: readonly string[];
  /** For each draft, the indexes of the listing pages whose entries link to it (several: on every page). */
  readonly pagesOfLink?: ReadonlyMap<string, ReadonlySet<number>>;
  /** Item counts of the source's recent gated runs, newest first. */
  readonly recentItemCounts?: readonly number[];
}

/**
 * Words that name a menu entry, not an announcement (NFKC, lower-case). A title that is one of
 * these is a navigation link whatever its URL.
 */
const menuWords = new Set(
  [
    'ホーム',
    'トップ',
    'トップページ',
    'top',
    'home',
    'サイトマップ',
    'お問い合わせ',
    'お問合せ',
    '問い合わせ',
    'english',
    '日本語',
    'ログイン',
    '検索',
    'メニュー',
    '閉じる',
    '一覧',
    '一覧へ',
    '一覧を見る',
    '一覧はこちら',
    'もっと見る',
    'もっと読む',
    '続きを読む',
    '詳細',
    '詳しく',
    '詳細はこちら',
    'こちら',
    '前へ',
    '次へ',
    '戻る',
    '前のページ',
    '次のページ',
    'ページの先頭へ',
    'ページトップ',
    'ページトップへ',
    '報道・広報',
    '報道発表',
    '報道発表資料',
    '新着情報',
    'お知らせ',
    'イベント',
    '政策',
    '政策について',
    '組織案内',
    '組織',
    '所管法令',
    '法令',
    '採用情報',
    'アクセス',
    'サイトポリシー',
    'サイトの利用について',
    'このサイトについて',
    '個人情報保護方針',
    'プライバシーポリシー',
    '利用規約',
    'ウェブアクセシビリティ',
    'アクセシビリティ',
    'rss',
    '音声読み上げ',
    '文字サイズ',
    '文字サイズ・色合い変更',
    '標準',
    '拡大',
    '縮小',
    'よくある質問',
    'faq',
    'リンク集',
    '本文へ',
    '本文へスキップ',
    'メインコンテンツへ',
    'foreign language',
  ].map(foldForMatch),
);

/** Directory indexes: `/`, `/press/`, `/press/index.html`. */
const indexFile = /^(index|default|top)\.(html?|php|aspx?|jsp|cgi)$/i;

/**
 * Why a draft looks like a navigation link rather than an entry of the list, or `undefined`:
 * its link is the site root, a section index (one level deep) or the list page itself, or its
 * title is a menu word or a word of at most two characters.
 */
export function navigationReason(title: string, link: string, pageUrl: string): string | undefined {
  const folded = foldForMatch(title);
  if (menuWords.has(folded)) return 'menu word';
  if ([...folded].length <= 2) return 'title of two characters or fewer';
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments.at(-1);
  const isIndex = url.pathname.endsWith('/') || (last !== undefined && indexFile.test(last));
  const depth = isIndex && last !== undefined && indexFile.test(last) ? segments.length - 1 : segments.length;
  if (isIndex && depth === 0 && !url.search) return 'link to the site root';
  if (isIndex && depth <= 1 && !url.search) return 'link to a section index';
  try {
    const page = new URL(pageUrl);
    if (url.origin === page.origin && url.pathname === page.pathname && url.search === page.search)
      return 'link to the list page itself';
  } catch {
    /* a page URL always parses; nothing to compare otherwise */
  }
  return undefined;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Drops that mean the definition misreads the page (counted against `maxDroppedShare`). */
const gatedDrops: readonly DropReason[] = ['no-title', 'no-link', 'non-http-link', 'invalid'];

/** Measures one extraction and applies the source's gate. */
export function assessQuality(input: QualityInput): QualityReport {
  const { source, drafts } = input;
  const gate = gateOf(source);
  const hosts = new Set(hostsOf(source));
  const firstPage = input.pageUrls[0] ?? source.url;
  const examples: QualityReport['examples'] = [];
  const example = (why: string, title?: string, link?: string) => {
    if (examples.length < 10) examples.push({ why, ...(title ? { title } : {}), ...(link ? { link } : {}) });
  };

  let dated = 0;
  let calls = 0;
  let callsWithDeadline = 0;
  let navigation = 0;
  let offHost = 0;
  let duplicateTitles = 0;
  const titles = new Set<string>();
  const everyPage = input.pageUrls.length >= 2 ? input.pageUrls.length : 0;
  for (const draft of drafts) {
    if (draft.publishedAt || draft.opensAt || draft.closesAt) dated += 1;
    if (draft.kind === 'call') {
      calls += 1;
      if (draft.closesAt) callsWithDeadline += 1;
    }
    let nav = navigationReason(draft.title, draft.url, firstPage);
    if (!nav && everyPage && input.pagesOfLink?.get(draft.canonicalUrl)?.size === everyPage)
      nav = 'the same link on every page of the list';
    if (nav) {
      navigation += 1;
      example(`navigation: ${nav}`, draft.title, draft.url);
    }
    let host = '';
    try {
      host = new URL(draft.url).host.toLowerCase();
    } catch {
      /* drafts carry absolute URLs */
    }
    if (!hosts.has(host)) offHost += 1;
    const folded = foldForMatch(draft.title);
    if (titles.has(folded)) duplicateTitles += 1;
    else titles.add(folded);
  }

  const dropped: Partial<Record<DropReason, number>> = {};
  for (const entry of input.dropped) {
    dropped[entry.reason] = (dropped[entry.reason] ?? 0) + 1;
    if (gatedDrops.includes(entry.reason))
      example(`dropped: ${entry.reason}${entry.detail ? ` (${entry.detail})` : ''}`, entry.title, entry.link);
  }
  const badDrops = gatedDrops.reduce((n, reason) => n + (dropped[reason] ?? 0), 0);
  const entries = drafts.length + input.dropped.length;
  const items = drafts.length;

  const problems: QualityProblem[] = [];
  const problem = (code: string, value: number, threshold: number, message: string, messageJa: string) =>
    problems.push({ code, value, threshold, message, messageJa });
  /** A gate on the share of items with some fault: `count of items <what> (share, at most max)<advice>`. */
  const tooManyItems = (
    code: string,
    count: number,
    max: number,
    what: string,
    whatJa: string,
    hint: { advice: string; adviceJa: string } = { advice: '', adviceJa: '' },
  ) => {
    const share = count / items;
    if (count > 0 && share > max)
      problem(
        code,
        share,
        max,
        `${count} of ${items} ${what} (${pct(share)}, at most ${pct(max)})${hint.advice}`,
        `${items} 件中 ${count} 件${whatJa}(${pct(share)})${hint.adviceJa}`,
      );
  };
  if (items < gate.minItems)
    problem(
      'no-items',
      items,
      gate.minItems,
      `${items} items, expected at least ${gate.minItems}${entries > items ? ` (${entries} entries seen)` : ''}`,
      `取得件数 ${items} 件(最低 ${gate.minItems} 件)`,
    );
  const droppedShare = entries > 0 ? badDrops / entries : 0;
  if (badDrops > 0 && droppedShare > gate.maxDroppedShare)
    problem(
      'dropped',
      droppedShare,
      gate.maxDroppedShare,
      `${badDrops} of ${entries} entries dropped (${describeDrops(dropped)}), more than ${pct(gate.maxDroppedShare)}: check the title and link selectors`,
      `${entries} 件中 ${badDrops} 件を読めず破棄(${describeDrops(dropped)}):題名・リンクの指定を確認`,
    );
  if (items > 0) {
    const datedShare = dated / items;
    if (datedShare < gate.minDatedShare)
      problem(
        'undated',
        datedShare,
        gate.minDatedShare,
        `${pct(datedShare)} of items dated (${dated} of ${items}${input.unreadableDates ? `, ${input.unreadableDates} dates unreadable` : ''}), expected at least ${pct(gate.minDatedShare)}: check the date selector`,
        `日付のある項目 ${pct(datedShare)}(${items} 件中 ${dated} 件、基準 ${pct(gate.minDatedShare)} 以上):日付の指定を確認`,
      );
    tooManyItems(
      'navigation',
      navigation,
      gate.maxNavigationShare,
      'items look like navigation links',
      'がメニュー等のリンク',
      {
        advice: ': narrow the item selector or set a container',
        adviceJa: ':項目の指定を絞る',
      },
    );
    tooManyItems('off-host', offHost, gate.maxOffHostShare, "links leave the source's hosts", 'のリンクが他サイト');
    tooManyItems(
      'duplicate-titles',
      duplicateTitles,
      gate.maxDuplicateTitleShare,
      'items repeat an earlier title',
      'が同じ題名',
    );
  }
  if (calls > 0 && gate.minDeadlineShare > 0 && callsWithDeadline / calls < gate.minDeadlineShare)
    problem(
      'no-deadline',
      callsWithDeadline / calls,
      gate.minDeadlineShare,
      `${pct(callsWithDeadline / calls)} of calls have a deadline (${callsWithDeadline} of ${calls}), expected at least ${pct(gate.minDeadlineShare)}`,
      `締切の分かる公募 ${pct(callsWithDeadline / calls)}(${calls} 件中 ${callsWithDeadline} 件)`,
    );
  const recent = input.recentItemCounts?.filter((n) => n > 0) ?? [];
  const recentItems = recent.length > 0 ? median(recent) : undefined;
  if (recentItems !== undefined && recentItems >= 5 && items < recentItems * gate.minCountRatio)
    problem(
      'count-drop',
      items / recentItems,
      gate.minCountRatio,
      `${items} items against a median of ${recentItems} in recent runs (below ${pct(gate.minCountRatio)}): has the page layout changed?`,
      `取得件数 ${items} 件(最近の中央値 ${recentItems} 件):ページの構成が変わった可能性`,
    );

  return {
    entries,
    items,
    dated,
    unreadableDates: input.unreadableDates,
    calls,
    callsWithDeadline,
    dropped,
    navigation,
    offHost,
    duplicateTitles,
    ...(recentItems !== undefined ? { recentItems } : {}),
    examples,
    passed: problems.length === 0,
    problems,
  };
}

/** Gate rules that judge a run as a whole (its item count), not one slice of it. */
const wholeRunCodes: readonly string[] = ['no-items', 'count-drop'];

/**
 * The report of one slice of a run that spans several invocations (continuations): the slice is
 * judged by the rules about its own entries (drops, dates, navigation, duplicates, hosts), which
 * a slice shows as well as the whole run does, so a bad slice publishes nothing. The rules about
 * how many items the run gave (`no-items`, `count-drop`) are left to `judgeWholeRun`: a first
 * slice of 20 items out of 500 is not a count drop.
 */
export function sliceReport(report: QualityReport): QualityReport {
  const problems = report.problems.filter((p) => !wholeRunCodes.includes(p.code));
  return { ...report, problems, passed: problems.length === 0 };
}

/** The reports of two slices of one run as one: counts summed, problems and examples kept. */
export function mergeQualityReports(a: QualityReport | undefined, b: QualityReport): QualityReport {
  if (!a) return b;
  const dropped: Partial<Record<DropReason, number>> = { ...a.dropped };
  for (const [reason, n] of Object.entries(b.dropped) as [DropReason, number][])
    dropped[reason] = (dropped[reason] ?? 0) + n;
  const recentItems = a.recentItems ?? b.recentItems;
  return {
    entries: a.entries + b.entries,
    items: a.items + b.items,
    dated: a.dated + b.dated,
    unreadableDates: a.unreadableDates + b.unreadableDates,
    calls: a.calls + b.calls,
    callsWithDeadline: a.callsWithDeadline + b.callsWithDeadline,
    dropped,
    navigation: a.navigation + b.navigation,
    offHost: a.offHost + b.offHost,
    duplicateTitles: a.duplicateTitles + b.duplicateTitles,
    ...(recentItems !== undefined ? { recentItems } : {}),
    examples: [...a.examples, ...b.examples].slice(0, 10),
    passed: a.passed && b.passed,
    problems: [...a.problems, ...b.problems],
  };
}

/**
 * Applies the whole-run rules (`no-items`, and `count-drop` when `recentItemCounts` is given) to
 * the merged report of a run that spanned continuations.
 */
export function judgeWholeRun(
  source: Source,
  merged: QualityReport,
  recentItemCounts?: readonly number[],
): QualityReport {
  const recent = recentItemCounts?.filter((n) => n > 0) ?? [];
  const recentItems = recent.length > 0 ? median(recent) : undefined;
  const gate = gateOf(source);
  const problems = [...merged.problems.filter((p) => !wholeRunCodes.includes(p.code))];
  if (merged.items < gate.minItems)
    problems.push({
      code: 'no-items',
      value: merged.items,
      threshold: gate.minItems,
      message: `${merged.items} items, expected at least ${gate.minItems}`,
      messageJa: `取得件数 ${merged.items} 件(最低 ${gate.minItems} 件)`,
    });
  if (recentItems !== undefined && recentItems >= 5 && merged.items < recentItems * gate.minCountRatio)
    problems.push({
      code: 'count-drop',
      value: merged.items / recentItems,
      threshold: gate.minCountRatio,
      message: `${merged.items} items against a median of ${recentItems} in recent runs (below ${pct(gate.minCountRatio)}): has the page layout changed?`,
      messageJa: `取得件数 ${merged.items} 件(最近の中央値 ${recentItems} 件):ページの構成が変わった可能性`,
    });
  return {
    ...merged,
    ...(recentItems !== undefined ? { recentItems } : {}),
    passed: problems.length === 0,
    problems,
  };
}

function describeDrops(dropped: Partial<Record<DropReason, number>>): string {
  return gatedDrops
    .filter((reason) => dropped[reason])
    .map((reason) => `${reason} ${dropped[reason]}`)
    .join(', ');
}

/** The report as lines for a terminal (`chiiki source try`, `chiiki crawl`). */
export function formatQualityReport(report: QualityReport): string[] {
  const share = (n: number, of: number) => (of > 0 ? ` (${pct(n / of)})` : '');
  const drops = Object.entries(report.dropped)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const lines = [
    `quality: ${report.passed ? 'PASSED' : 'FAILED'} — ${report.items} items of ${report.entries} entries`,
    `  dated ${report.dated}${share(report.dated, report.items)}` +
      (report.unreadableDates ? `, ${report.unreadableDates} dates unreadable` : '') +
      (report.calls ? `; calls ${report.calls}, with a deadline ${report.callsWithDeadline}` : ''),
    `  dropped: ${drops || 'none'}`,
    `  navigation-like ${report.navigation}, off-host links ${report.offHost}, duplicate titles ${report.duplicateTitles}` +
      (report.recentItems !== undefined ? `, recent runs' median ${report.recentItems} items` : ''),
  ];
  for (const p of report.problems) lines.push(`  ✗ ${p.message}`);
  for (const e of report.examples)
    lines.push(`  e.g. ${e.why}: ${e.title ? JSON.stringify(e.title) : '(no title)'} ${e.link ?? ''}`.trimEnd());
  return lines;
}
