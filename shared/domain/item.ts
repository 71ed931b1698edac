import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ItemAmountSchema } from './amount.js';
import { ItemApplicantsSchema } from './applicant.js';

/**
 * Items: what the portal collects. A `call` is a support-program call (公募・支援施策), `news` a
 * regional S&T news item, `theme` a research theme (研究テーマ).
 */
export const ItemKindSchema = z.enum(['call', 'news', 'theme']);
export type ItemKind = z.infer<typeof ItemKindSchema>;

/** ISO-8601 instant with an offset (`2025-05-30T17:00:00+09:00` or `...Z`). */
export const IsoInstantSchema = z.iso.datetime({ offset: true });

/** Stable id: `it_` + 24 hex chars of sha256(canonical URL). Same canonical URL, same id, forever. */
export const ItemIdSchema = z
  .string()
  .regex(/^it_[0-9a-f]{24}$/, 'expected an item id such as it_0123456789abcdef01234567')
  .brand<'ItemId'>();
export type ItemId = z.infer<typeof ItemIdSchema>;

export function itemIdFor(canonicalUrl: string): ItemId {
  return `it_${createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 24)}` as ItemId;
}

/** Longest link an item may carry; longer ones are refused rather than cut (a cut URL points elsewhere). */
export const maxWebUrlLength = 2048;

/**
 * Why `value` breaks the one URL policy for links the portal stores and shows, or `undefined`
 * when it keeps it: absolute, `http:` or `https:` only, no credentials (`user:pass@`), a host,
 * at most `maxWebUrlLength` characters, and already normalised (equal to its WHATWG `href`:
 * lower-case scheme and host, no default port, percent-encoded).
 * @example webUrlProblem('javascript:alert(1)') // 'scheme "javascript:" is not http or https'
 */
export function webUrlProblem(value: string): string | undefined {
  if (value.length > maxWebUrlLength) return `is ${value.length} characters long, expected at most ${maxWebUrlLength}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol}" is not http or https`;
  if (url.username !== '' || url.password !== '') return 'carries credentials (user:pass@), expected none';
  if (url.hostname === '') return 'has no host';
  if (url.href !== value) return `is not normalised, expected "${url.href}"`;
  return undefined;
}

/** A link the portal may store and show: see `webUrlProblem` for the policy. */
const WebUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = webUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `URL ${problem}` });
});

/** JIS X 0401 prefecture code, '01' (北海道) to '47' (沖縄県). */
export const PrefectureCodeSchema = z
  .string()
  .regex(/^(0[1-9]|[1-3][0-9]|4[0-7])$/, 'expected a JIS prefecture code 01-47');

/** The 10 regional blocks of the 地域科学技術 ブロック協議会. */
export const regionBlocks = [
  'hokkaido',
  'tohoku',
  'kanto',
  'chubu',
  'hokuriku',
  'kinki',
  'chugoku',
  'shikoku',
  'kyushu',
  'okinawa',
] as const;
export const RegionBlockSchema = z.enum(regionBlocks);
export type RegionBlock = z.infer<typeof RegionBlockSchema>;

/**
 * Budget as printed (`5,521百万円`) and, when it could be read, in yen: the first amount a page
 * labels 予算額, 上限額, 研究費 ... whichever it is. Kept for existing readers; `amount` tells a
 * per-project ceiling from a program budget.
 */
const BudgetSchema = z.strictObject({
  text: z.string().min(1),
  amountYen: z.number().int().nonnegative().optional(),
});

/** One source that carried the item, with its own first and last seen time. */
export const ProvenanceSchema = z.strictObject({
  sourceId: z.string().min(1),
  url: z.url(),
  firstSeenAt: IsoInstantSchema,
  lastSeenAt: IsoInstantSchema,
  /** Set when the item vanished from this source's listing (withdrawn, not deleted). */
  withdrawnAt: IsoInstantSchema.optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** One field that changed between two versions. Values are JSON-serialisable snapshots. */
const FieldChangeSchema = z.strictObject({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

/** A recorded change: which fields, whether any is material (deadline, budget, eligibility ...). */
export const ChangeRecordSchema = z.strictObject({
  version: z.number().int().positive(),
  at: IsoInstantSchema,
  material: z.boolean(),
  changes: z.array(FieldChangeSchema),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

/** The content fields an extractor produces; everything the content hash covers. */
export const ItemContentSchema = z.strictObject({
  kind: ItemKindSchema,
  title: z.string().min(1).max(1000),
  url: WebUrlSchema,
  canonicalUrl: WebUrlSchema,
  summary: z.string().max(5000).optional(),
  bodyText: z.string().max(100_000).optional(),
  publisher: z.string().min(1),
  /** Ministry or agency code from shared/taxonomy/ministries (e.g. `mext`, `jst`, `pref-13`). */
  ministry: z.string().optional(),
  prefectures: z.array(PrefectureCodeSchema),
  regions: z.array(RegionBlockSchema),
  fields: z.array(z.string()),
  publishedAt: IsoInstantSchema.optional(),
  /** Application period start (受付開始). */
  opensAt: IsoInstantSchema.optional(),
  /** Application deadline (締切, 必着). */
  closesAt: IsoInstantSchema.optional(),
  budget: BudgetSchema.optional(),
  eligibility: z.string().max(5000).optional(),
  /** Who may apply (calls only), read from eligibility, source fields and the call's page; absent when unknown. */
  applicants: ItemApplicantsSchema.optional(),
  /** Per-project ceiling and floor, subsidy rate and program budget (calls only); absent when none is stated. */
  amount: ItemAmountSchema.optional(),
  /** Prior registration a call requires (e-Rad asks for two weeks or more). */
  requiresRegistration: z.enum(['e-rad']).optional(),
});
export type ItemContent = z.infer<typeof ItemContentSchema>;

/** What an extractor hands to the store: content plus where and when it was seen. */
export const ItemDraftSchema = ItemContentSchema.extend({
  sourceId: z.string().min(1),
  seenAt: IsoInstantSchema,
});
export type ItemDraft = z.infer<typeof ItemDraftSchema>;

/** A stored item: content, identity, provenance and change history. */
export const ItemSchema = ItemContentSchema.extend({
  id: ItemIdSchema,
  provenance: z.array(ProvenanceSchema).min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  version: z.number().int().positive(),
  createdAt: IsoInstantSchema,
  updatedAt: IsoInstantSchema,
  /** Set when every source has withdrawn the item. */
  withdrawnAt: IsoInstantSchema.optional(),
  /** Newest first; bounded (the store keeps the last 20). */
  history: z.array(ChangeRecordSchema),
});
export type Item = z.infer<typeof ItemSchema>;

/**
 * Fields whose change matters to an applicant: an alert mail is sent for these, not for cosmetic edits.
 * `applicants` and `amount` are not among them: they are readings of `eligibility`, `budget` and the
 * page text, so an edit there is already reported once, and a better reading (a new parser) must not
 * mail every subscriber about every call.
 */
export const materialFields = ['opensAt', 'closesAt', 'budget', 'eligibility', 'requiresRegistration', 'kind'] as const;

const contentKeys = Object.keys(ItemContentSchema.shape) as (keyof ItemContent)[];

/** sha256 over the content fields in a fixed order; provenance and timestamps do not count. */
export function contentHashOf(content: ItemContent): string {
  const ordered = contentKeys.map((key) => [key, content[key] ?? null]);
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** Picks the content fields out of a draft or item. */
export function contentOf(value: ItemContent): ItemContent {
  const out: Record<string, unknown> = {};
  for (const key of contentKeys) if (value[key] !== undefined) out[key] = value[key];
  return out as ItemContent;
}

/** Field-level diff of two contents; `material` when any changed field is in `materialFields`. */
export function diffContent(
  before: ItemContent,
  after: ItemContent,
): { changes: ChangeRecord['changes']; material: boolean } {
  const changes: ChangeRecord['changes'] = [];
  for (const key of contentKeys) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field: key, before: a, after: b });
  }
  const material = changes.some((c) => (materialFields as readonly string[]).includes(c.field));
  return { changes, material };
}
