import * as z from 'zod';
import type { Clock } from '../clock.js';
import { ApplicantTypeSchema } from '../domain/applicant.js';
import { IsoInstantSchema, ItemIdSchema, ItemKindSchema, RegionBlockSchema, type ItemId } from '../domain/item.js';
import { statusAt } from '../domain/status.js';
import { SearchBackendError, SearchUnavailableError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { addedFields, indexTemplate } from './opensearch-mapping.js';
import {
  aggsOf,
  deadlineGroups,
  facetsOf,
  highlight,
  highlightsOf,
  queryOf,
  sortOf,
  statusClauses,
} from './opensearch-query.js';
import { exactTotalCap, SearchQuerySchema, type ParsedSearchQuery, type SearchQuery } from './query.js';
import type { DocVersions, ReindexWriter, SearchDoc, SearchHit, SearchIndex, SearchPage } from './search-index.js';

/**
 * `OpenSearchSearchIndex`: the SearchIndex on OpenSearch (Amazon OpenSearch Service in AWS, a
 * plain single node in the integration tests).
 *
 * Indices are versioned, `<prefix>-v<n>`, created from the index template `<prefix>` and reached
 * only through two aliases: `<prefix>` (read) and `<prefix>-write` (write). `ensureIndex()` puts the
 * template and creates `v1` with both aliases when the read alias is missing; `beginReindex()`
 * builds `v<n+1>` and `commit()` moves both aliases in one atomic `_aliases` call, then drops the
 * old index, so searches never see a half-built index.
 *
 * Text analysis follows analyze.ts with analysis-common only (present on the managed service):
 * standard tokenizer + `cjk_width` + `lowercase` + `cjk_bigram`. The index analyzer keeps unigrams
 * beside the bigrams so one-character queries match; the search analyzer emits bigrams only, so
 * one `match_phrase` per query term (as `multi_match` of type `phrase` over title^3, summary^1.5,
 * bodyText) requires the characters to stand together. A word typed across scripts (`ＤＸ推進`) is
 * one `span_near` per field instead (`mixedPhrase`): the search analyzer puts a token after a CJK
 * run one position too early for the index (bigrams only: `推進`@0 `dx`@1; indexed `推`@0 `推進`@0
 * `進`@1 `dx`@2), so that phrase is spelled in the index's own tokens. The user's words are sent
 * as values, never parsed as query syntax. Queries that NFKC folds but `cjk_width` does not (①, ㈱) are folded on
 * our side before sending; documents are indexed as written.
 *
 * Paging uses `search_after` on (sort values, id) and never deep `from`. Missing dates sort last via
 * explicit `missing` values that survive a JSON round trip (not Long.MIN/MAX, which JavaScript
 * cannot represent). Status is derived at query time from the clock: a `filters` aggregation and
 * filter clauses with date ranges, never a stored field; the deadline sort searches status groups
 * in turn (`searchByDeadline`), as scripts need the lang-painless module a plain node lacks.
 */

/** What the adapter needs of a REST client: `makeOpenSearchClient` (opensearch-client.ts); opensearch-js's `Client` fits too. */
export interface OpenSearchTransportClient {
  readonly transport: {
    request(
      params: {
        method: string;
        path: string;
        body?: unknown;
        bulkBody?: unknown;
        querystring?: Record<string, unknown> | string;
      },
      options?: { ignore?: number[] },
    ): Promise<{ body: unknown; statusCode: number | null }>;
  };
}

export interface OpenSearchSearchIndexOptions {
  readonly client: OpenSearchTransportClient;
  /** Alias prefix; indices are `<prefix>-v<n>`. Lower case, as OpenSearch requires. */
  readonly prefix: string;
  readonly clock: Clock;
  /** Make writes visible to search before returning (tests); default false. */
  readonly refresh?: boolean;
  /** Documents per bulk request (default 500). */
  readonly bulkChunk?: number;
  /** Replicas per index (default 0: a single node; set 1 on a multi-node domain). */
  readonly replicas?: number;
  /** Waits between bulk retries of failed items (default 200, 1000, 3000 ms). */
  readonly retryDelaysMs?: readonly number[];
}

const DayWindowSchema = z.object({ from: z.string(), to: z.string() });
/** A stored `_source`: what `upsert` wrote, read back across the trust boundary. */
const SourceSchema = z.object({
  id: ItemIdSchema,
  kind: ItemKindSchema,
  title: z.string(),
  summary: z.string().optional(),
  bodyText: z.string().optional(),
  url: z.string(),
  publisher: z.string(),
  ministry: z.string().optional(),
  prefectures: z.array(z.string()),
  regions: z.array(RegionBlockSchema),
  fields: z.array(z.string()),
  publishedAt: IsoInstantSchema.optional(),
  opensAt: IsoInstantSchema.optional(),
  closesAt: IsoInstantSchema.optional(),
  updatedAt: IsoInstantSchema,
  withdrawn: z.boolean(),
  sources: z.array(z.string()),
  // Documents written before applicants were indexed have none in their source.
  applicants: z.array(ApplicantTypeSchema).default([]),
  amountCeiling: z.number().optional(),
  forecast: z
    .object({
      seriesId: z.string(),
      opens: DayWindowSchema,
      closes: DayWindowSchema.optional(),
      text: z.string(),
    })
    .optional(),
}) satisfies z.ZodType<SearchDoc, unknown>;

const HitSchema = z.object({
  _id: z.string(),
  _source: SourceSchema,
  sort: z.array(z.union([z.number(), z.string()])).optional(),
  highlight: z.record(z.string(), z.array(z.string())).optional(),
});
const SearchResponseSchema = z.object({
  hits: z.object({
    total: z.object({ value: z.number(), relation: z.string() }),
    hits: z.array(HitSchema),
  }),
  aggregations: z.record(z.string(), z.unknown()).optional(),
});
const MsearchResponseSchema = z.object({ responses: z.array(z.unknown()) });
/** A search without total (`track_total_hits: false`). */
const HitsOnlySchema = z.object({ hits: z.object({ hits: z.array(HitSchema) }) });
const BulkResponseSchema = z.object({
  errors: z.boolean(),
  items: z.array(
    z.record(z.string(), z.object({ _id: z.string().nullish(), status: z.number(), error: z.unknown().optional() })),
  ),
});
const CountSchema = z.object({ count: z.number() });
const MgetSchema = z.object({
  docs: z.array(
    z.object({
      _id: z.string(),
      found: z.boolean().optional(),
      _source: z.object({ updatedAt: z.string() }).optional(),
    }),
  ),
});
const VersionHitsSchema = z.object({
  hits: z.object({
    hits: z.array(
      z.object({ _id: z.string(), _source: z.object({ updatedAt: z.string() }), sort: z.array(z.unknown()) }),
    ),
  }),
});
const AliasesSchema = z.record(z.string(), z.object({ aliases: z.record(z.string(), z.unknown()).optional() }));

type BulkAction = { op: 'index'; doc: SearchDoc } | { op: 'delete'; id: string };

export class OpenSearchSearchIndex implements SearchIndex {
  private readonly client: OpenSearchTransportClient;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly refresh: boolean;
  private readonly bulkChunk: number;
  private readonly replicas: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(options: OpenSearchSearchIndexOptions) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(options.prefix)) {
      throw new SearchBackendError(
        `index prefix ${JSON.stringify(options.prefix)} must be lower-case letters, digits, - or _`,
      );
    }
    this.client = options.client;
    this.prefix = options.prefix;
    this.clock = options.clock;
    this.refresh = options.refresh ?? false;
    this.bulkChunk = options.bulkChunk ?? 500;
    this.replicas = options.replicas ?? 0;
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 3000];
  }

  get readAlias(): string {
    return this.prefix;
  }

  get writeAlias(): string {
    return `${this.prefix}-write`;
  }

  /** Alias of the version a reindex is building, present only while one runs (or after it crashed). */
  get nextAlias(): string {
    return `${this.prefix}-next`;
  }

  async ensureIndex(): Promise<void> {
    await this.call('PUT', `/_index_template/${this.prefix}`, indexTemplate(this.prefix, this.replicas));
    const exists = await this.client.transport.request(
      { method: 'HEAD', path: `/_alias/${this.readAlias}` },
      { ignore: [404] },
    );
    if (exists.statusCode === 200) {
      // An index made from an older template: add the fields it lacks (a no-op when present).
      await this.call('PUT', `/${this.readAlias}/_mapping`, { properties: addedFields });
      return;
    }
    const first = `${this.prefix}-v1`;
    const created = await this.client.transport.request(
      {
        method: 'PUT',
        path: `/${first}`,
        body: { aliases: { [this.readAlias]: {}, [this.writeAlias]: { is_write_index: true } } },
      },
      { ignore: [400] },
    );
    // 400 resource_already_exists: another cold start won the race; it creates the same thing.
    if (created.statusCode === 400 && !JSON.stringify(created.body).includes('resource_already_exists')) {
      throw new SearchBackendError(`creating index ${first} failed: ${JSON.stringify(created.body).slice(0, 500)}`);
    }
  }

  async upsert(docs: readonly SearchDoc[]): Promise<void> {
    await this.write(docs.map((doc) => ({ op: 'index', doc })));
  }

  async remove(ids: readonly ItemId[]): Promise<void> {
    await this.write(ids.map((id) => ({ op: 'delete', id })));
  }

  /**
   * Live writes: to the version a reindex is building first (when `nextAlias` exists; with
   * `require_alias`, so a reindex that ends meanwhile makes that write a no-op rather than
   * auto-creating an index), then through the write alias. In that order a write racing the
   * alias swap reaches the new version either way.
   */
  private async write(actions: readonly BulkAction[]): Promise<void> {
    if (actions.length === 0) return;
    if ((await this.aliasTargets(this.nextAlias)).length > 0)
      await this.bulk(this.nextAlias, actions, false, { requireAlias: true });
    await this.bulk(this.writeAlias, actions, this.refresh);
  }

  async count(): Promise<number> {
    return parseInput(CountSchema, await this.call('GET', `/${this.readAlias}/_count`)).count;
  }

  async beginReindex(): Promise<ReindexWriter> {
    await this.ensureIndex();
    const old = await this.aliasTargets(this.readAlias);
    const existing = Object.keys(
      parseInput(
        AliasesSchema,
        await this.call('GET', `/${this.prefix}-v*/_alias`, undefined, { expand_wildcards: 'all' }),
      ),
    );
    const versions = existing.map((name) => Number(/-v(\d+)$/.exec(name)?.[1] ?? 0));
    const next = `${this.prefix}-v${Math.max(0, ...versions) + 1}`;
    await this.call('PUT', `/${next}`, {
      // While it is built: no refreshes and no fsync per bulk request (a crash loses the version
      // anyway: an unfinished one is deleted as an orphan). Both are reset by `commit`.
      settings: { index: { refresh_interval: '-1', translog: { durability: 'async' } } },
      aliases: { [this.nextAlias]: {} },
    });
    let done = false;
    return {
      upsert: async (docs) => {
        await this.bulk(
          next,
          docs.map((doc) => ({ op: 'index', doc })),
          false,
        );
      },
      remove: async (ids) => {
        await this.bulk(
          next,
          ids.map((id) => ({ op: 'delete', id })),
          false,
        );
      },
      versions: (ids) => this.versionsIn(next, ids),
      count: async () => {
        await this.call('POST', `/${next}/_refresh`);
        return parseInput(CountSchema, await this.call('GET', `/${next}/_count`)).count;
      },
      commit: async () => {
        if (done) return;
        done = true;
        await this.call('PUT', `/${next}/_settings`, {
          index: { refresh_interval: null, translog: { durability: null } },
        });
        await this.call('POST', `/${next}/_refresh`);
        const actions: unknown[] = [];
        for (const index of old) actions.push({ remove: { index, alias: this.readAlias } });
        for (const index of await this.aliasTargets(this.writeAlias))
          actions.push({ remove: { index, alias: this.writeAlias } });
        actions.push({ add: { index: next, alias: this.readAlias } });
        actions.push({ add: { index: next, alias: this.writeAlias, is_write_index: true } });
        actions.push({ remove: { index: next, alias: this.nextAlias } });
        await this.call('POST', '/_aliases', { actions });
        for (const index of old) if (index !== next) await this.call('DELETE', `/${index}`);
      },
      abort: async () => {
        done = true;
        await this.client.transport.request({ method: 'DELETE', path: `/${next}` }, { ignore: [404] });
      },
    };
  }

  async versions(ids?: readonly ItemId[]): Promise<DocVersions> {
    return this.versionsIn(this.readAlias, ids);
  }

  /** `<prefix>-v<n>` indices behind neither the read nor the write alias, oldest first. */
  async listOrphans(): Promise<string[]> {
    const res = await this.client.transport.request(
      { method: 'GET', path: `/${this.prefix}-v*/_alias`, querystring: { expand_wildcards: 'all' } },
      { ignore: [404] },
    );
    if (res.statusCode === 404) return [];
    return Object.entries(parseInput(AliasesSchema, res.body))
      .filter(([, entry]) => {
        const aliases = Object.keys(entry.aliases ?? {});
        return !aliases.includes(this.readAlias) && !aliases.includes(this.writeAlias);
      })
      .map(([name]) => name)
      .sort((a, b) => versionOf(a) - versionOf(b));
  }

  async removeOrphans(): Promise<string[]> {
    const orphans = await this.listOrphans();
    for (const name of orphans)
      await this.client.transport.request({ method: 'DELETE', path: `/${name}` }, { ignore: [404] });
    return orphans;
  }

  /**
   * `updatedAt` per document of `target` (an index or a one-index alias): of `ids` by `_mget`
   * (real time), or of all after a refresh, paged with `search_after` on `id`.
   */
  private async versionsIn(target: string, ids: readonly ItemId[] | undefined): Promise<DocVersions> {
    const out: DocVersions = new Map();
    if (ids !== undefined) {
      for (let start = 0; start < ids.length; start += 1000) {
        const body = { ids: ids.slice(start, start + 1000) };
        const query = { _source_includes: 'updatedAt' };
        const { docs } = parseInput(MgetSchema, await this.call('POST', `/${target}/_mget`, body, query));
        for (const doc of docs) if (doc.found && doc._source) out.set(doc._id, Date.parse(doc._source.updatedAt));
      }
      return out;
    }
    await this.call('POST', `/${target}/_refresh`);
    let after: unknown[] | undefined;
    for (;;) {
      const body: Record<string, unknown> = {
        size: 5000,
        track_total_hits: false,
        _source: ['updatedAt'],
        sort: [{ id: 'asc' }],
      };
      if (after) body.search_after = after;
      const page = parseInput(VersionHitsSchema, await this.call('POST', `/${target}/_search`, body));
      for (const hit of page.hits.hits) out.set(hit._id, Date.parse(hit._source.updatedAt));
      const last = page.hits.hits[page.hits.hits.length - 1];
      if (!last || page.hits.hits.length < 5000) return out;
      after = last.sort;
    }
  }

  /** Drops every index of this prefix and the template; for tests and `chiiki reindex --fresh`. */
  async dropAll(): Promise<void> {
    await this.client.transport.request(
      { method: 'DELETE', path: `/${this.prefix}-v*`, querystring: { expand_wildcards: 'all' } },
      { ignore: [404] },
    );
    await this.client.transport.request(
      { method: 'DELETE', path: `/_index_template/${this.prefix}` },
      { ignore: [404] },
    );
  }

  async search(input: SearchQuery): Promise<SearchPage> {
    const query = parseInput(SearchQuerySchema, input);
    const now = this.clock.now();
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort);
    if (query.sort === 'deadline') return this.searchByDeadline(query, now, cursor);
    const body: Record<string, unknown> = {
      size: query.size + 1,
      track_total_hits: exactTotalCap,
      query: queryOf(query, now.getTime()),
      sort: sortOf(query.sort),
      aggs: aggsOf(now.getTime()),
      highlight,
    };
    if (cursor) body.search_after = [...cursor.rawValues, cursor.id];
    const response = parseInput(SearchResponseSchema, await this.call('POST', `/${this.readAlias}/_search`, body));
    const hits = response.hits.hits.slice(0, query.size);
    const more = response.hits.hits.length > query.size;
    const items: SearchHit[] = hits.map((hit) => {
      const doc: SearchDoc = hit._source;
      return { doc, status: statusAt(doc, now), highlights: highlightsOf(hit.highlight) };
    });
    const last = hits[hits.length - 1];
    const lastSort = last?.sort;
    const total = response.hits.total;
    return {
      total: Math.min(total.value, exactTotalCap),
      totalIsLowerBound: total.relation === 'gte' && total.value >= exactTotalCap,
      items,
      facets: facetsOf(response.aggregations ?? {}),
      nextCursor:
        more && last && lastSort
          ? encodeCursor(query.sort, lastSort.slice(0, -1), String(lastSort[lastSort.length - 1]))
          : undefined,
    };
  }

  /**
   * 締切が近い順 without scripts (a plain node has no Painless): status groups in order (open,
   * upcoming, closed, neither date), each a filtered search with its own date sort, from the
   * cursor's group on, concatenated; total and facets come from a size-0 search; all in one
   * `_msearch`. The cursor carries the group, the group's sort value and the id.
   */
  private async searchByDeadline(
    query: ParsedSearchQuery,
    now: Date,
    cursor: ReturnType<typeof decodeCursor> | undefined,
  ): Promise<SearchPage> {
    const base = queryOf(query, now.getTime());
    const clauses = statusClauses(now.getTime());
    const startGroup = cursor ? Math.max(0, Math.min(deadlineGroups.length - 1, cursor.values[0] ?? 0)) : 0;
    const groups = deadlineGroups.slice(startGroup);
    // One round trip: the size-0 summary and a page of each remaining group (at most size + 1 hits each).
    const responses = await this.msearch([
      { size: 0, track_total_hits: exactTotalCap, query: base, aggs: aggsOf(now.getTime()) },
      ...groups.map(({ status, sort }, i) => ({
        size: query.size + 1,
        track_total_hits: false,
        query: { bool: { must: [base], filter: [clauses[status]] } },
        sort,
        highlight,
        ...(cursor && i === 0 ? { search_after: [...cursor.rawValues.slice(1), cursor.id] } : {}),
      })),
    ]);
    const counts = parseInput(SearchResponseSchema, responses[0]);
    const hits = groups
      .flatMap((_, i) =>
        parseInput(HitsOnlySchema, responses[i + 1]).hits.hits.map((hit) => ({ group: startGroup + i, hit })),
      )
      .slice(0, query.size + 1);
    const page = hits.slice(0, query.size);
    const last = page[page.length - 1];
    const lastSort = last?.hit.sort;
    const total = counts.hits.total;
    return {
      total: Math.min(total.value, exactTotalCap),
      totalIsLowerBound: total.relation === 'gte' && total.value >= exactTotalCap,
      items: page.map(({ hit }) => ({
        doc: hit._source,
        status: statusAt(hit._source, now),
        highlights: highlightsOf(hit.highlight),
      })),
      facets: facetsOf(counts.aggregations ?? {}),
      nextCursor:
        hits.length > query.size && last && lastSort
          ? encodeCursor('deadline', [last.group, ...lastSort.slice(0, -1)], String(lastSort[lastSort.length - 1]))
          : undefined,
    };
  }

  private async aliasTargets(alias: string): Promise<string[]> {
    const res = await this.client.transport.request({ method: 'GET', path: `/_alias/${alias}` }, { ignore: [404] });
    if (res.statusCode === 404) return [];
    return Object.keys(parseInput(AliasesSchema, res.body));
  }

  /**
   * Bulk writes in chunks; items that fail with 429 or 5xx are retried alone after a pause, items
   * that fail otherwise (a mapping error) and items still failing after the last retry throw.
   */
  private async bulk(
    index: string,
    actions: readonly BulkAction[],
    refresh: boolean,
    options: { readonly requireAlias?: boolean } = {},
  ): Promise<void> {
    const meta = options.requireAlias ? { _index: index, require_alias: true } : { _index: index };
    for (let start = 0; start < actions.length; start += this.bulkChunk) {
      let pending = actions.slice(start, start + this.bulkChunk);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const bulkBody: unknown[] = [];
        for (const a of pending) {
          if (a.op === 'index') bulkBody.push({ index: { ...meta, _id: a.doc.id } }, a.doc);
          else bulkBody.push({ delete: { ...meta, _id: a.id } });
        }
        const res = await this.client.transport.request(
          { method: 'POST', path: '/_bulk', bulkBody, querystring: refresh ? { refresh: 'true' } : {} },
          { ignore: [429] },
        );
        if (res.statusCode === 429) {
          await this.pause(attempt, pending.length);
          continue;
        }
        const parsed = parseInput(BulkResponseSchema, res.body);
        if (!parsed.errors) break;
        const retry: BulkAction[] = [];
        const failed: string[] = [];
        parsed.items.forEach((item, i) => {
          const result = Object.values(item)[0];
          const action = pending[i];
          if (!result || !action || result.status < 300) return;
          const notFound = result.status === 404 && isIndexNotFound(result.error);
          if (action.op === 'delete' && result.status === 404 && !notFound) return;
          // The alias swap of a reindex dropped the index this write resolved to: the alias now
          // names the new one, so send it again. A require_alias target that is gone: nothing to do.
          if (notFound && options.requireAlias) return;
          if (result.status === 429 || result.status >= 500 || notFound) retry.push(action);
          else failed.push(`${result._id ?? '?'}: ${JSON.stringify(result.error).slice(0, 300)}`);
        });
        if (failed.length > 0)
          throw new SearchBackendError(`bulk write rejected ${failed.length} items: ${failed.slice(0, 3).join('; ')}`);
        pending = retry;
        if (pending.length > 0) await this.pause(attempt, pending.length);
      }
    }
  }

  private async pause(attempt: number, pending: number): Promise<void> {
    const delay = this.retryDelaysMs[attempt];
    if (delay === undefined)
      throw new SearchBackendError(`bulk write still failing for ${pending} items after ${attempt} retries`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Several searches on the read alias in one `_msearch`; a failed part throws like `call`. */
  private async msearch(bodies: readonly unknown[]): Promise<unknown[]> {
    const bulkBody = bodies.flatMap((body) => [{ index: this.readAlias }, body]);
    let raw: unknown;
    try {
      raw = (await this.client.transport.request({ method: 'POST', path: '/_msearch', bulkBody })).body;
    } catch (error) {
      if (error instanceof SearchUnavailableError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new SearchBackendError(`opensearch POST /_msearch failed: ${detail}`, { cause: error });
    }
    const { responses } = parseInput(MsearchResponseSchema, raw);
    for (const part of responses) {
      const failed = z.object({ error: z.unknown() }).safeParse(part);
      if (failed.success && failed.data.error !== undefined)
        throw new SearchBackendError(
          `opensearch POST /_msearch part failed: ${JSON.stringify(failed.data.error).slice(0, 500)}`,
        );
    }
    if (responses.length !== bodies.length)
      throw new SearchBackendError(
        `opensearch POST /_msearch answered ${responses.length} of ${bodies.length} searches`,
      );
    return responses;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    querystring?: Record<string, unknown>,
  ): Promise<unknown> {
    try {
      const res = await this.client.transport.request({ method, path, body, querystring });
      return res.body;
    } catch (error) {
      // Unreachable stays unreachable (503 with Retry-After), not a backend failure.
      if (error instanceof SearchUnavailableError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      const meta =
        typeof error === 'object' && error !== null && 'meta' in error
          ? (error as { meta?: { body?: unknown } }).meta
          : undefined;
      const reason = meta?.body === undefined ? '' : ` ${JSON.stringify(meta.body).slice(0, 500)}`;
      throw new SearchBackendError(`opensearch ${method} ${path} failed: ${detail}${reason}`, { cause: error });
    }
  }
}

/** `<prefix>-v<n>` → n (0 for another name). */
function versionOf(index: string): number {
  return Number(/-v(\d+)$/.exec(index)?.[1] ?? 0);
}

function isIndexNotFound(error: unknown): boolean {
  return JSON.stringify(error ?? null).includes('index_not_found_exception');
}
