import * as z from 'zod';
import { ItemKindSchema, PrefectureCodeSchema } from './item.js';

/**
 * A source definition: one site (feed, list page or API) the crawler reads. Sources are data,
 * not code: an operator adds a site by writing a definition in a registry file
 * (shared/sources/registries/*.yaml). Every object is strict, so a typo in a key fails loudly
 * with the path of the bad field.
 */

/** Nightly at 03:00 Tokyo time (18:00 UTC), in EventBridge Scheduler syntax. */
const nightlySchedule = 'cron(0 18 * * ? *)';

const rateRe = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const cronRe = /^cron\((\S+ \S+ \S+ \S+ \S+ \S+)\)$/;

/**
 * An EventBridge Scheduler expression: `rate(1 day)` or `cron(min hour day-of-month month
 * day-of-week year)` with exactly one of day-of-month / day-of-week set to `?`.
 */
const ScheduleSchema = z.string().superRefine((value, ctx) => {
  const rate = rateRe.exec(value);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (n < 1) ctx.addIssue({ code: 'custom', message: `schedule "${value}" needs a positive rate` });
    else if ((n === 1) !== !unit.endsWith('s'))
      ctx.addIssue({
        code: 'custom',
        message: `schedule "${value}": use "${n} ${n === 1 ? unit.replace(/s$/, '') : unit.replace(/s?$/, 's')}"`,
      });
    return;
  }
  const cron = cronRe.exec(value);
  if (cron) {
    const fields = (cron[1] ?? '').split(' ');
    const dom = fields[2];
    const dow = fields[4];
    if ((dom === '?') === (dow === '?'))
      ctx.addIssue({
        code: 'custom',
        message: `schedule "${value}": exactly one of day-of-month and day-of-week must be "?"`,
      });
    return;
  }
  ctx.addIssue({
    code: 'custom',
    message: `schedule "${value}" is not an EventBridge expression, expected "rate(1 day)" or "cron(0 18 * * ? *)"`,
  });
});

/** Politeness towards the site: pause between requests to its host and a cap on list pages. */
const PolitenessSchema = z.strictObject({
  minDelayMs: z.number().int().min(0).max(60_000).default(2000),
  maxPages: z.number().int().min(1).max(50).default(5),
});

/** Keyword rules on the item title (NFKC, case-insensitive). `include`: at least one must occur. */
const KeywordRulesSchema = z.strictObject({
  include: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
});

/**
 * Detail enrichment: fetch each listed item's page to read the application period, deadline,
 * budget, eligibility and whether e-Rad registration is required. Selectors narrow where to
 * look; without them the whole page text is searched.
 */
const DetailSchema = z.strictObject({
  /** Main content of the detail page; the rest of the page (menus, footer) is ignored. */
  content: z.string().min(1).optional(),
  /** Only items classified as calls get their page fetched (news pages rarely hold a deadline). */
  onlyCalls: z.boolean().default(true),
  /** At most this many detail pages per run. */
  maxItems: z.number().int().min(1).max(500).default(50),
});

/** An absolute http(s) URL (registry files may write `{{SAMPLE_HOST}}`, filled in before validation). */
const SourceUrlSchema = z
  .string()
  .refine((v) => /^https?:\/\/[^/\s]+/.test(v) && URL.canParse(v), { message: 'expected an absolute http(s) URL' });

/**
 * Thresholds of the quality gate every run passes before anything is published (see
 * functions/crawl/run/quality.ts). Each is optional; the defaults catch a wrong title, link or date
 * selector and a list of navigation links. Shares are fractions 0-1.
 */
export const QualityGateSchema = z.strictObject({
  /** Fewest items a run must give. Default 1 for list pages, 0 for feeds and APIs (an empty feed is valid). */
  minItems: z.number().int().min(0).optional(),
  /** Largest share of entries dropped for no title, no or non-http link, or an invalid draft. Default 0.3. */
  maxDroppedShare: z.number().min(0).max(1).optional(),
  /** Smallest share of items with a date (published, or an application period). Default 0.8; 0 for APIs. */
  minDatedShare: z.number().min(0).max(1).optional(),
  /** Smallest share of calls with a deadline. Default 0 (reported, not gated). */
  minDeadlineShare: z.number().min(0).max(1).optional(),
  /** Largest share of navigation-like items. Default 0.1. */
  maxNavigationShare: z.number().min(0).max(1).optional(),
  /** Largest share of links outside the source's hosts. Default 1 (reported, not gated: aggregators link out). */
  maxOffHostShare: z.number().min(0).max(1).optional(),
  /** Largest share of items repeating an earlier title. Default 0.3. */
  maxDuplicateTitleShare: z.number().min(0).max(1).optional(),
  /** Smallest item count against the median of recent gated runs (of 5 or more items). Default 0.2. */
  minCountRatio: z.number().min(0).max(1).optional(),
});
export type QualityGate = z.infer<typeof QualityGateSchema>;

const common = {
  /** Stable id, lower-case kebab: `mext-news`, `pref-13-koubo`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'expected a lower-case id such as "mext-news"'),
  name: z.string().min(1),
  /** Who publishes the items (shown to users): `文部科学省`. */
  publisher: z.string().min(1),
  /** Ministry or agency code (shared/taxonomy/ministries): `mext`, `jst`, `pref-13`. Falls back to the host. */
  ministry: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'expected a ministry code such as "mext" or "pref-13"')
    .optional(),
  /** Kind of items unless the text says otherwise (a 公募 on a news feed is still a call). */
  defaultKind: ItemKindSchema.default('news'),
  /** Prefectures every item of the source concerns (a prefecture's own site). */
  prefectures: z.array(PrefectureCodeSchema).default([]),
  schedule: ScheduleSchema.default(nightlySchedule),
  /** How often the source publishes, in days: no new item for longer flags the source stale. */
  expectedCadenceDays: z.number().positive().max(366).default(14),
  politeness: PolitenessSchema.default({ minDelayMs: 2000, maxPages: 5 }),
  /** Hosts redirects and next-page links may lead to; the start URL's host is always allowed. */
  allowedHosts: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, 'expected a lower-case host name')).default([]),
  /** Charset override when the site lies about its encoding. */
  charset: z.enum(['utf-8', 'shift_jis', 'euc-jp']).optional(),
  /** Canonical URLs use https even where the site prints http links (the host serves both). */
  canonicalHttps: z.boolean().default(false),
  keywords: KeywordRulesSchema.optional(),
  detail: DetailSchema.optional(),
  /** Gate thresholds where the defaults do not fit this source (say why in `note`). */
  quality: QualityGateSchema.optional(),
  enabled: z.boolean().default(true),
  /**
   * `saved-page`: checked against a saved copy of the real page; `sample`: one of our sample sites;
   * `unverified`: written from documentation. An unverified source runs behind its gate, never
   * pages the operator, and counts as verified once a run passes its gate with items.
   */
  verified: z.enum(['saved-page', 'unverified', 'sample']).default('unverified'),
  /** Operator notes (WAF behaviour, replaced feeds, quirks). */
  note: z.string().optional(),
};

/** RSS 1.0 (RDF), RSS 2.0 or Atom; which one is detected from the content, not the URL. */
const FeedSourceSchema = z.strictObject({
  ...common,
  kind: z.literal('feed'),
  url: SourceUrlSchema,
});

/**
 * An HTML list page. `item` selects each entry; `title`, `link`, `date` are looked up inside it
 * (the item itself when omitted). `dateBefore` takes the date from the nearest preceding element
 * matching it (MAFF's `<p class="list_item_date">8月19日</p>` before each group), and
 * `dateContext` the year and month from the nearest preceding heading (`<h2>令和8年8月分</h2>`).
 * `dateInComment` reads dates a page prints only inside HTML comments
 * (`<dl><!-- dt>平成38年8月7日</dt --><dd><a href="...">...</a></dd>`): the date is the first
 * Japanese date in the comments inside the entry, else in the comments between the previous entry
 * and this one. A date from `date` wins over one from a comment, which wins over `dateBefore`.
 * Selectors are CSS as cheerio reads it (jQuery extensions such as `:first` and `:contains()`
 * included); `chiiki sources check` rejects one that does not parse, naming the field.
 */
export const HtmlListSchema = z.strictObject({
  /** Only look inside this element (the main content). */
  container: z.string().min(1).optional(),
  item: z.string().min(1),
  title: z.string().min(1).optional(),
  /**
   * Labels the site prints inside the title node that are not part of the title: a category
   * (`<a><span class="cat">地球環境</span>脱炭素先行地域づくり事業の公募について</a>`), a 「NEW」 or
   * 「新着」 mark, a file-type suffix (`<span class="pdf">[PDF 123KB]</span>`). Descendants of the
   * title node matching this selector are left out of the title text; the title node itself is
   * never left out, and a title that is nothing but such labels keeps them (the label is the title). Absent: the whole text is the title.
   */
  titleExclude: z.string().min(1).optional(),
  /**
   * Drops a file-type note the site prints as bare text at the end of the title
   * (`報告書（PDF：123KB）` → `報告書`; also `[PDF 1.2MB]`, `［Excel形式］`), where no selector can
   * reach it. A title that is only the note is kept. Absent means false.
   */
  dropFileNote: z.boolean().optional(),
  link: z.string().min(1).optional(),
  date: z.string().min(1).optional(),
  /** Attribute holding a machine date (`datetime` on `<time>`), preferred over the text. */
  dateAttribute: z.string().min(1).optional(),
  dateBefore: z.string().min(1).optional(),
  dateContext: z.string().min(1).optional(),
  /**
   * Dates printed only inside HTML comments: the first Japanese date in a comment inside the
   * entry, else in a comment between the previous entry and this one. Absent means false.
   */
  dateInComment: z.boolean().optional(),
  /** Table layouts: a cell with the application period (`令和8年11月1日～令和8年12月15日`). */
  period: z.string().min(1).optional(),
  /** Link to the next page of the list; followed up to `politeness.maxPages`. */
  nextPage: z.string().min(1).optional(),
});

export const HtmlListSourceSchema = z.strictObject({
  ...common,
  kind: z.literal('html-list'),
  url: SourceUrlSchema,
  list: HtmlListSchema,
});

/**
 * jGrants public API (デジタル庁): GET {base}/subsidies per keyword; the detail
 * {base}/subsidies/id/{id} is fetched only for new or changed ids. No paging. A keyword needs at
 * least 2 characters.
 */
const JgrantsParamsSchema = z.strictObject({
  keywords: z.array(z.string().min(2, 'jGrants needs a keyword of 2 or more characters').max(255)).min(1),
  sort: z.enum(['created_date', 'acceptance_start_datetime', 'acceptance_end_datetime']).default('created_date'),
  order: z.enum(['ASC', 'DESC']).default('DESC'),
  /** 1: only calls accepting applications now. */
  acceptance: z.enum(['0', '1']).default('1'),
  targetAreaSearch: z.string().min(1).optional(),
  /** Path of the list under the base URL. */
  listPath: z.string().startsWith('/').default('/subsidies'),
  /** Path of one subsidy's detail; `{id}` is replaced. */
  detailPath: z.string().startsWith('/').includes('{id}').default('/subsidies/id/{id}'),
  /** Public page of a subsidy, used as the item URL when the API gives none; `{id}` is replaced. */
  itemUrl: SourceUrlSchema.default('https://www.jgrants-portal.go.jp/subsidy/{id}'),
  /**
   * At most this many detail fetches per run (continuations included). Subsidies beyond it are
   * saved from their list entry and get their detail on a later run.
   */
  detailFetchLimit: z.number().int().min(0).max(1000).default(100),
});

/** The jGrants subsidy API as a source. */
export const JgrantsSourceSchema = z.strictObject({
  ...common,
  kind: z.literal('json'),
  /** API base, e.g. `https://api.jgrants-portal.go.jp/exp/v1/public`. */
  url: SourceUrlSchema,
  adapter: z.literal('jgrants'),
  params: JgrantsParamsSchema,
});

/** KAKEN page sizes (`rw`) the OpenSearch API accepts. */
const kakenPageSizes = [20, 50, 100, 200, 500] as const;

/** A fiscal year (年度, April to March) KAKEN can hold. */
const FiscalYearSchema = z.number().int().min(1965).max(2100);

/**
 * KAKEN (科学研究費助成事業データベース, NII) research projects through its OpenSearch API
 * (https://kaken.nii.ac.jp/opensearch/, parameters documented at
 * https://support.nii.ac.jp/ja/kaken/api/api_outline). Each list is one condition; the words of
 * a list are joined with `OR` and the conditions are combined with AND by KAKEN. At least one of
 * `keywords`, `institutions` and `researchFields` is required. The application id (`appid`) is
 * not part of the definition: the crawler adds it from configuration (KAKEN_APP_ID).
 */
const KakenParamsSchema = z
  .strictObject({
    /** Free words (`kw`). */
    keywords: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** Research institutions (`qe`, 研究機関): `東北大学`. */
    institutions: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** Review sections or research fields (`qd`, 審査区分/研究分野): `知能情報学`. */
    researchFields: z.array(z.string().min(1).max(200)).min(1).optional(),
    /**
     * Earliest first fiscal year of a project (`s1`). KAKEN's default period condition (`o1`)
     * compares the year a project started.
     */
    fromFiscalYear: FiscalYearSchema.optional(),
    /** Latest first fiscal year of a project (`s2`), under the same condition. */
    toFiscalYear: FiscalYearSchema.optional(),
    /** Results per page (`rw`); the listing reads at most `politeness.maxPages` pages. */
    pageSize: z
      .number()
      .int()
      .refine((n) => (kakenPageSizes as readonly number[]).includes(n), {
        message: `expected a KAKEN page size: ${kakenPageSizes.join(', ')}`,
      })
      .default(100),
    /** Language of the response (`lang`). */
    lang: z.enum(['ja', 'en']).default('ja'),
    /** The project's public page; `{id}` is replaced by the grantAward id (`KAKENHI-PROJECT-23K01234`). */
    itemUrl: SourceUrlSchema.refine((v) => v.includes('{id}'), { message: 'expected "{id}" in the URL' }).default(
      'https://kaken.nii.ac.jp/grant/{id}/',
    ),
  })
  .superRefine((params, ctx) => {
    if (!params.keywords && !params.institutions && !params.researchFields)
      ctx.addIssue({
        code: 'custom',
        message: 'KAKEN needs at least one of keywords, institutions and researchFields',
      });
    if (params.fromFiscalYear && params.toFiscalYear && params.fromFiscalYear > params.toFiscalYear)
      ctx.addIssue({
        code: 'custom',
        path: ['toFiscalYear'],
        message: `fiscal years ${params.fromFiscalYear}-${params.toFiscalYear} run backwards`,
      });
  });

/** KAKEN research projects as a source; its items are research themes unless `defaultKind` says otherwise. */
export const KakenSourceSchema = z.strictObject({
  ...common,
  defaultKind: ItemKindSchema.default('theme'),
  kind: z.literal('json'),
  /** The OpenSearch endpoint, e.g. `https://kaken.nii.ac.jp/opensearch/`. */
  url: SourceUrlSchema,
  adapter: z.literal('kaken'),
  params: KakenParamsSchema,
});

/** A JSON or XML API read by a named adapter. */
const JsonSourceSchema = z.discriminatedUnion('adapter', [JgrantsSourceSchema, KakenSourceSchema]);

export const SourceSchema = z.discriminatedUnion('kind', [FeedSourceSchema, HtmlListSourceSchema, JsonSourceSchema]);
export type Source = z.infer<typeof SourceSchema>;
export type SourceInput = z.input<typeof SourceSchema>;
export type JgrantsSource = z.infer<typeof JgrantsSourceSchema>;
export type KakenSource = z.infer<typeof KakenSourceSchema>;
export type HtmlList = z.infer<typeof HtmlListSchema>;

/** A registry file: a name and its sources. Ids are unique. */
export const RegistrySchema = z.strictObject({
  registry: z.string().min(1),
  sources: z.array(SourceSchema).superRefine((sources, ctx) => {
    const seen = new Set<string>();
    sources.forEach((source, index) => {
      if (seen.has(source.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate source id "${source.id}"` });
      seen.add(source.id);
    });
  }),
});
export type Registry = z.infer<typeof RegistrySchema>;

/** Hosts a source may reach: its start URL's host plus `allowedHosts`. */
export function hostsOf(source: Source): string[] {
  return [...new Set([new URL(source.url).host.toLowerCase(), ...source.allowedHosts])];
}
