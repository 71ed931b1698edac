import * as z from 'zod';
import 'zod-openapi';
import { ApplicantTypeSchema } from '../../shared/domain/applicant.js';
import { IsoInstantSchema, ItemIdSchema, ItemKindSchema, ItemSchema } from '../../shared/domain/item.js';
import { SourceHealthSchema } from '../../shared/domain/crawl-run.js';
import { SeriesIdSchema, SeriesSchema } from '../../shared/domain/series.js';
import {
  EmailSchema,
  FrequencySchema,
  ReminderDaysSchema,
  SubscriptionStatusSchema,
  defaultReminderDays,
  maxSavedSearches,
} from '../../shared/domain/subscription.js';
import { regionBlocks, type ItemKind } from '../../shared/domain/item.js';
import { maxPageSize } from '../../shared/search/query.js';
import {
  fieldCodeOf,
  fieldForms,
  ministryCodeOf,
  prefectureCodeOf,
  prefectureForms,
  regionCodeOf,
  regionForms,
} from './prefecture-param.js';

/**
 * Request and response schemas of the public API. The request schemas parse query strings
 * (see search-params.ts); the response schemas type the route results and generate
 * /v1/openapi.json. Change a response here and the OpenAPI document follows.
 */

/** Rows `/v1/export.csv` returns at most (it follows cursors up to this many). */
export const exportRowCap = 5000;
/** Items a feed carries when `size` is not given. */
export const defaultFeedSize = 50;

const listOf = <T extends z.ZodType<string, string>>(item: T, description: string, examples: readonly string[]) =>
  z
    .array(item)
    .max(50, 'at most 50 values')
    .optional()
    // Set through `override`: zod-openapi drops plain meta on a list whose items transform.
    .meta({ description, override: { examples: examples.map((example) => [example]) } });

const quoted = (value: unknown) => JSON.stringify(typeof value === 'string' ? value.slice(0, 60) : value);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => `expected one of ${values.join(', ')}, got ${quoted(issue.input)}` });

/** A Tokyo date (`2025-05-30`) or an ISO instant with offset; `edge` picks the start or end of a date. */
const instantParam = (edge: 'start' | 'end', description: string, example: string) =>
  z
    .string()
    .transform((value, ctx) => {
      const iso = instantFrom(value, edge);
      if (iso === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a date such as 2025-05-30 or an ISO time such as 2025-05-30T17:00:00+09:00, got ${quoted(value)}`,
        });
        return z.NEVER;
      }
      return iso;
    })
    .optional()
    .meta({ description, override: { examples: [example] } });

/** `2025-05-30` (Asia/Tokyo) or an ISO-8601 instant with offset, as an ISO instant; undefined when neither. */
function instantFrom(value: string, edge: 'start' | 'end'): string | undefined {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const [, y, m, d] = date;
    const probe = new Date(`${y}-${m}-${d}T00:00:00+09:00`);
    if (Number.isNaN(probe.getTime())) return undefined;
    // Reject 2025-02-30: Date rolls it over to March.
    const tokyo = new Date(probe.getTime() + 9 * 3600_000);
    if (tokyo.getUTCDate() !== Number(d) || tokyo.getUTCMonth() + 1 !== Number(m)) return undefined;
    return edge === 'start' ? `${y}-${m}-${d}T00:00:00+09:00` : `${y}-${m}-${d}T23:59:59.999+09:00`;
  }
  if (!IsoInstantSchema.safeParse(value).success) return undefined;
  if (Number.isNaN(Date.parse(value))) return undefined;
  return value;
}

/** Largest yen amount a parameter takes: `Number.MAX_SAFE_INTEGER`, the largest exact whole number. */
const maxYen = Number.MAX_SAFE_INTEGER;

/** A whole number of yen written in ASCII digits (`1000000`), 0 to `maxYen`; each wrong form says what it is. */
const yenParam = (description: string, example: string) =>
  z
    .string()
    .transform((value, ctx) => {
      const problem = /^\d+$/.test(value)
        ? Number(value) > maxYen
          ? `expected at most ${maxYen} yen, got ${quoted(value)}`
          : undefined
        : /^-\s*\d/.test(value)
          ? `expected a whole number of yen, 0 or more, got ${quoted(value)}`
          : `expected a whole number of yen in digits such as 1000000 (no decimals, separators or units), got ${quoted(value)}`;
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return Number(value);
    })
    .optional()
    .meta({
      description,
      // A query string carries text; the value must be a whole number of yen.
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        Object.assign(jsonSchema, { type: 'integer', minimum: 0, maximum: maxYen, examples: [Number(example)] });
      },
    });

/**
 * A list value given as a code or a name, parsed to the code by `resolve`. The OpenAPI schema lists
 * `forms`, every spelling the resolver knows (it also folds width and case).
 */
const codeOrName = <C extends string>(
  resolve: (value: string) => C | undefined,
  forms: readonly string[],
  expected: string,
) =>
  z
    .string()
    .transform((value, ctx) => {
      const code = resolve(value);
      if (code === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${quoted(value)}` });
        return z.NEVER;
      }
      return code;
    })
    .meta({ override: { type: 'string', enum: [...forms] } });

/**
 * The raw query parameters of /v1/search, /v1/feed.*, /v1/export.csv after repeated keys and
 * comma lists are collected into arrays (`kind=call&kind=news` = `kind=call,news`).
 * Prefectures are resolved to JIS codes by search-params.ts before this schema runs.
 */
export const SearchParamsSchema = z.strictObject({
  q: z
    .string()
    .max(200, 'expected at most 200 characters')
    .optional()
    .meta({
      description:
        'Words to find (every word is required; Japanese matches as a phrase). Empty lists everything under the filters.',
      examples: ['クラスター'],
    }),
  kind: listOf(
    oneOf(['call', 'news', 'theme'] as const satisfies readonly ItemKind[]),
    'Item kinds: call (公募・支援施策), news, theme (研究テーマ).',
    ['call'],
  ),
  ministry: listOf(
    z
      .string()
      .transform(ministryCodeOf)
      .refine((v) => /^[a-z][a-z0-9-]{0,39}$/.test(v), {
        error: (issue) =>
          `expected a ministry code such as mext, jst or pref-13, or a name such as 文部科学省, got ${quoted(issue.input)}`,
      }),
    'Ministries or agencies: code (mext, meti, jst, pref-13 ...) or name (文部科学省, 文科省, JST).',
    ['mext', '文部科学省'],
  ),
  prefecture: listOf(
    codeOrName(prefectureCodeOf, prefectureForms, 'a JIS prefecture code 01-47 or a prefecture name such as 東京都'),
    'Prefectures: JIS code (20, or 01-47 zero-padded) or name (長野県, 長野, nagano); full-width forms work too.',
    ['20', '長野', '長野県'],
  ),
  region: listOf(
    codeOrName(regionCodeOf, regionForms, `one of ${regionBlocks.join(', ')} or a name such as 中部 or 九州地方`),
    'Regional blocks (地域ブロック): code (chubu) or name (中部, 中部地方).',
    ['中部', 'chubu'],
  ),
  field: listOf(
    codeOrName(
      fieldCodeOf,
      fieldForms,
      'a research field code such as life-science or its name such as ライフサイエンス',
    ),
    'Research fields (研究分野): code (life-science) or name (ライフサイエンス).',
    ['ライフサイエンス', 'life-science'],
  ),
  status: listOf(
    oneOf(['upcoming', 'open', 'closed', 'expected'] as const),
    'Application status now: upcoming, open, closed; expected (公募予定・見込み): the newest round of a program whose next round is forecast and not announced yet (the hit carries `forecast`; it is also closed or undated).',
    ['open'],
  ),
  applicant: listOf(
    z.enum(ApplicantTypeSchema.enum, {
      error: (issue) =>
        `expected an applicant type, one of ${ApplicantTypeSchema.options.join(', ')}, got ${quoted(issue.input)}`,
    }),
    'Who may apply (応募できる者): university, public-research, sme, large-company, startup, local-government, nonprofit, individual, consortium. A call matches when it names any of them; calls whose applicants are unknown never match.',
    ['university'],
  ),
  amountMin: yenParam(
    'Per-project ceiling (上限額) at least this many yen. Calls without a known ceiling never match.',
    '1000000',
  ),
  amountMax: yenParam(
    'Per-project ceiling (上限額) at most this many yen (not below amountMin). Calls without a known ceiling never match.',
    '100000000',
  ),
  opensAfter: instantParam('start', 'Application period opens at or after this date (Tokyo) or time.', '2025-04-01'),
  closesBefore: instantParam(
    'end',
    'Deadline at or before this date (end of the Tokyo day) or time.',
    '2026-12-31T23:59:59+09:00',
  ),
  publishedSince: instantParam('start', 'Published at or after this date or time.', '2025-04-01'),
  updatedSince: instantParam('start', 'Changed at or after this date or time.', '2025-04-01'),
  sort: oneOf(['relevance', 'newest', 'deadline', 'amount', 'expected'] as const)
    .optional()
    .meta({
      description:
        'Order: relevance (default with q), newest, deadline (締切が近い順: open calls by soonest deadline, then upcoming by opening date, then closed, most recently closed first; undated last), amount (largest per-project ceiling first, unknown last), expected (earliest forecast opening first, items without a forecast last).',
      examples: ['deadline'],
    }),
  size: z
    .string()
    .regex(/^\d{1,4}$/, `expected a whole number from 1 to ${maxPageSize}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `expected a whole number from 1 to ${maxPageSize}`)
        .max(maxPageSize, `expected a whole number from 1 to ${maxPageSize}`),
    )
    .optional()
    .meta({
      description: `Items per page, 1-${maxPageSize} (default 20; feeds ${defaultFeedSize}).`,
      // A query string carries text; the value must be a whole number.
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: 'integer', minimum: 1, maximum: maxPageSize, examples: [20] });
      },
    }),
  cursor: z
    .string()
    .min(1)
    .max(2000, 'expected the nextCursor of a previous page')
    .optional()
    .meta({ description: 'The nextCursor of the previous page of the same search.' }),
});
export type SearchParams = z.output<typeof SearchParamsSchema>;
/**
 * The parameters only `/v1/export.csv` takes, beside the search parameters (which it parses with
 * SearchParamsSchema). `size` there counts rows of the whole export, not items of one page.
 */
export const ExportParamsSchema = z.strictObject({
  size: z
    .string()
    .regex(/^\d{1,5}$/, `expected a whole number of rows from 1 to ${exportRowCap}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `expected a whole number of rows from 1 to ${exportRowCap}`)
        .max(exportRowCap, `expected a whole number of rows from 1 to ${exportRowCap}`),
    )
    .optional()
    .meta({ description: `Rows to export, 1-${exportRowCap} (default all, up to ${exportRowCap}).`, example: '100' }),
  labels: oneOf(['ja', 'codes'] as const)
    .default('ja')
    .meta({
      description:
        'ja (default): Japanese headers and labels, with the codes in extra columns; codes: the code columns only, under English headers.',
      example: 'codes',
    }),
});
export type ExportParams = z.output<typeof ExportParamsSchema>;
/** Names of the parameters only the CSV export takes. */
export const exportParamNames = Object.keys(ExportParamsSchema.shape) as (keyof ExportParams)[];

/** Names of the parameters accepted by the search-like routes. */
export const searchParamNames = Object.keys(SearchParamsSchema.shape) as (keyof SearchParams)[];
/** Parameters that take several values (repeat the key or separate values with commas). */
export const listParamNames = ['kind', 'ministry', 'prefecture', 'region', 'field', 'status', 'applicant'] as const;

export const ItemIdParamsSchema = z.strictObject({
  id: ItemIdSchema.meta({ description: 'Item id, as `id` of a search hit (it_ and 24 hex digits).' }),
});

const StatusSchema = z.enum(['upcoming', 'open', 'closed', 'unknown']).meta({
  description: 'Derived at request time from opensAt/closesAt.',
});

const HighlightsSchema = z
  .strictObject({
    title: z.array(z.string()).optional(),
    summary: z.array(z.string()).optional(),
    bodyText: z.array(z.string()).optional(),
  })
  .meta({ id: 'Highlights', description: 'Matched fragments; matches wrapped in <mark>, the rest HTML-escaped.' });

const TokyoDayWindowSchema = z.strictObject({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** The next round of a program as forecast from its past rounds: never an announcement. */
const SearchForecastSchema = z
  .strictObject({
    seriesId: z.string().meta({ description: 'The program series; its rounds and evidence are at /v1/series/{id}.' }),
    opens: TokyoDayWindowSchema.meta({ description: 'Expected opening window, Tokyo days (YYYY-MM-DD).' }),
    closes: TokyoDayWindowSchema.optional().meta({ description: 'Expected deadline window, Tokyo days.' }),
    text: z
      .string()
      .meta({ description: 'The forecast in Japanese, worded as 「見込み」 with its basis (past rounds).' }),
  })
  .meta({
    id: 'SearchForecast',
    description:
      'On the newest round of a program series whose next round is expected (見込み): when the next round should open, and why. A forecast, not an announced call.',
  });

export const SearchItemSchema = z
  .strictObject({
    id: ItemIdSchema,
    kind: ItemKindSchema,
    title: z.string(),
    summary: z.string().optional(),
    url: z.string(),
    publisher: z.string(),
    ministry: z.string().optional(),
    prefectures: z.array(z.string()),
    regions: z.array(z.string()),
    fields: z.array(z.string()),
    publishedAt: IsoInstantSchema.optional(),
    opensAt: IsoInstantSchema.optional(),
    closesAt: IsoInstantSchema.optional(),
    updatedAt: IsoInstantSchema,
    applicants: z.array(ApplicantTypeSchema).meta({
      description: 'Who may apply (応募できる者), in taxonomy order; empty when unknown (not "nobody").',
    }),
    amountCeiling: z.number().int().nonnegative().optional().meta({
      description: 'Per-project ceiling (上限額) in yen; absent when unknown.',
    }),
    forecast: SearchForecastSchema.optional(),
    status: StatusSchema,
    highlights: HighlightsSchema,
    sources: z.array(z.string()),
  })
  .meta({ id: 'SearchItem' });
export type SearchItem = z.infer<typeof SearchItemSchema>;

const FacetCountsSchema = z.array(z.strictObject({ value: z.string(), count: z.number().int().nonnegative() }));

const FacetsSchema = z
  .strictObject({
    kind: FacetCountsSchema,
    status: FacetCountsSchema,
    ministry: FacetCountsSchema,
    prefecture: FacetCountsSchema,
    region: FacetCountsSchema,
    field: FacetCountsSchema,
    applicant: FacetCountsSchema.meta({
      description: 'Applicant type ids (応募できる者), as the applicant parameter takes them.',
    }),
  })
  .meta({
    id: 'Facets',
    description:
      "Counts over all hits of the search, largest first. The status facet counts `expected` besides each hit's own status (an expected call is counted under closed and under expected); a value with no hit is left out.",
  });

export const SearchResponseSchema = z
  .strictObject({
    total: z.number().int().nonnegative(),
    totalIsLowerBound: z.boolean().meta({ description: 'true when total is capped (10,000+ hits)' }),
    items: z.array(SearchItemSchema),
    facets: FacetsSchema,
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Pass as cursor for the next page; absent on the last page.' }),
  })
  .meta({ id: 'SearchResponse' });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

/** GET /v1/series/{id}: a program series with the evidence linking its rounds. */
export const SeriesDetailSchema = SeriesSchema.meta({
  id: 'Series',
  description:
    'Calls that are rounds of one program (事業), oldest first, with the evidence of each link (rule, normalised key, differing round tokens) and the forecast of the next round (見込み, never a fact). Each round links to its call page (`url`) and to its item (`/v1/items/{itemId}`).',
});
export type SeriesDetail = z.infer<typeof SeriesDetailSchema>;

export const SeriesIdParamsSchema = z.strictObject({ id: SeriesIdSchema });

/** The series of an item, as GET /v1/items/{id} shows it (the evidence is on /v1/series/{id}). */
const ItemSeriesSchema = SeriesSchema.pick({ id: true, name: true, rounds: true, forecast: true }).meta({
  id: 'ItemSeries',
  description:
    'The program series the item is a round of: its rounds with dates and links, and the next round (見込み).',
});

export const ItemDetailSchema = ItemSchema.omit({ contentHash: true })
  .extend({
    status: StatusSchema,
    series: ItemSeriesSchema.optional(),
    applicants: ItemSchema.shape.applicants.meta({
      description:
        'Who may apply (応募できる者): the applicant type ids, each with the phrase that decided it and where it was read (eligibility text, the call page, or a source field). Absent when none was recognised: unknown, not "nobody".',
    }),
    amount: ItemSchema.shape.amount.meta({
      description:
        'Money of the call read from its text: per-project ceiling (maxPerProjectYen, 上限額) and floor, subsidy rate (補助率, n/d or fixed) and program budget, each with its evidence. Absent when nothing was read.',
    }),
    provenance: ItemSchema.shape.provenance.meta({ description: 'Every source that carried the item.' }),
    history: ItemSchema.shape.history.meta({ description: 'Recorded changes, newest first (last 20).' }),
  })
  .meta({ id: 'ItemDetail' });
export type ItemDetail = z.infer<typeof ItemDetailSchema>;

export const SourceViewSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    publisher: z.string(),
    ministry: z.string().optional(),
    kind: z.enum(['feed', 'html-list', 'json']),
    url: z.string(),
    schedule: z.string(),
    enabled: z.boolean(),
    verification: z.enum(['saved-page', 'sample', 'runs', 'unverified']).meta({
      description:
        'How the definition is known to be right: checked against a saved real page, one of the sample sites, a run that passed its quality gate, or not yet (要確認).',
    }),
    fixCommand: z.string().optional().meta({
      description: 'For an unverified or suspect source: the command that proposes a definition from the page.',
    }),
    health: SourceHealthSchema.omit({ sourceId: true }).extend({
      stale: z.boolean().meta({ description: 'No new item for longer than the source usually takes.' }),
      failing: z.boolean().meta({ description: 'The last runs failed.' }),
      suspect: z
        .boolean()
        .meta({ description: 'The last gated run failed its quality gate: nothing of it was published.' }),
      neverRun: z.boolean(),
    }),
  })
  .meta({ id: 'Source' });
export type SourceView = z.infer<typeof SourceViewSchema>;

export const SourcesResponseSchema = z
  .strictObject({ sources: z.array(SourceViewSchema) })
  .meta({ id: 'SourcesResponse' });
export type SourcesResponse = z.infer<typeof SourcesResponseSchema>;

export const HealthResponseSchema = z
  .strictObject({
    /** `degraded`: the service answers, but writes fail, search is unavailable or the index lags the store (see `reason`). */
    status: z.enum(['ok', 'degraded']),
    reason: z.string().optional(),
    time: IsoInstantSchema,
    indexedItems: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .meta({ description: 'Documents in the search index; absent while the search engine cannot be reached.' }),
    index: z
      .strictObject({
        lag: z.strictObject({
          pending: z.number().int().nonnegative().meta({ description: 'Store changes not yet in the index.' }),
          oldestAgeSec: z
            .number()
            .int()
            .nonnegative()
            .meta({ description: 'Age of the oldest change not yet in the index, in seconds (0 when none).' }),
        }),
        lastAttemptFailed: z
          .boolean()
          .meta({ description: 'The last attempt to apply changes to the index failed; it is retried with backoff.' }),
      })
      .optional()
      .meta({
        description:
          'How far the search index is behind the store, where the service tracks it; `degraded` while changes wait longer than 30 s or the last attempt failed.',
      }),
  })
  .meta({ id: 'Health' });
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const ErrorResponseSchema = z
  .strictObject({
    error: z.enum([
      'InvalidInputError',
      'NotFoundError',
      'ConflictError',
      'TooManyRequestsError',
      'StorageUnavailableError',
      'SearchUnavailableError',
      'InternalError',
    ]),
    message: z.string(),
    issues: z
      .array(z.strictObject({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional()
      .meta({ description: 'For 400: each bad parameter and the expected form.' }),
    requestId: z.string(),
  })
  .meta({ id: 'Error' });

// ---- subscriptions (/v1/subscriptions…) ---------------------------------------------------------

/** One saved search as sent: a `/v1/search` query string or an object of the same parameters. */
const SearchInputSchema = z
  .union([
    z.string().max(2000),
    z.record(z.string(), z.union([z.string().max(400), z.number(), z.array(z.string().max(400)).max(50)])),
  ])
  .meta({
    id: 'SavedSearchInput',
    description:
      'A /v1/search query string (`q=半導体&status=open`) or an object of the same parameters (`{"q":"半導体","status":["open"]}`). size, cursor and sort are ignored.',
  });
export type SavedSearchInput = z.infer<typeof SearchInputSchema>;

/** Body of `POST /v1/subscriptions`; also generates the OpenAPI request body. */
export const SubscribeBodySchema = z
  .strictObject({
    email: EmailSchema.meta({ description: 'Where alerts go; the confirmation link is mailed here first.' }),
    searches: z.array(SearchInputSchema).min(1).max(maxSavedSearches),
    frequency: FrequencySchema.default('daily'),
    reminderDays: ReminderDaysSchema.default(defaultReminderDays).meta({
      description: `Days before a deadline at which a reminder goes out (default ${defaultReminderDays.join(', ')}).`,
    }),
  })
  .meta({ id: 'SubscribeRequest' });

/** Body of `POST|PUT /v1/subscriptions/manage`: only the named settings change. */
export const ChangeBodySchema = z
  .strictObject({
    searches: z.array(SearchInputSchema).min(1).max(maxSavedSearches).optional(),
    frequency: FrequencySchema.optional(),
    reminderDays: ReminderDaysSchema.optional(),
    unmute: z.array(ItemIdSchema).max(1000).optional(),
  })
  .meta({ id: 'ChangeSubscriptionRequest' });

/** The `token` query parameter of every link in our mails (confirm, manage, unsubscribe, mute). */
export const SubscriptionTokenParamsSchema = z.strictObject({
  token: z.string().max(400).meta({
    description:
      'The signed token from the link in our mail. Each link kind has its own token; an invalid, forged or expired token answers 400 with an issue at `token`.',
  }),
});

export const SubscribeAcceptedResponseSchema = z
  .strictObject({
    status: z.literal('accepted'),
    message: z.string().meta({ description: 'What happens next, for a person (Japanese).' }),
  })
  .meta({ id: 'SubscribeAccepted' });
export type SubscribeAcceptedResponse = z.infer<typeof SubscribeAcceptedResponseSchema>;

export const SubscriptionViewResponseSchema = z
  .strictObject({
    status: SubscriptionStatusSchema,
    email: z.string(),
    frequency: FrequencySchema,
    reminderDays: z
      .array(z.number().int())
      .meta({ description: 'Days before a deadline at which a reminder goes out, largest first.' }),
    searches: z.array(
      z.strictObject({
        params: z.string().meta({ description: 'Canonical /v1/search query string.' }),
        label: z.string(),
      }),
    ),
    muted: z.array(ItemIdSchema).meta({ description: 'Items this subscriber never hears about again.' }),
    unsubscribeUrl: z.string(),
  })
  .meta({ id: 'Subscription' });

export const UnsubscribedResponseSchema = z
  .strictObject({ status: z.literal('unsubscribed') })
  .meta({ id: 'Unsubscribed' });
export type UnsubscribedResponse = z.infer<typeof UnsubscribedResponseSchema>;

export const MutedResponseSchema = z
  .strictObject({ status: z.literal('muted'), itemId: ItemIdSchema })
  .meta({ id: 'Muted' });
export type MutedResponse = z.infer<typeof MutedResponseSchema>;
