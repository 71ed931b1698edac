import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Clock } from '../clock.js';
import type { ItemId } from '../domain/item.js';
import { statusAt } from '../domain/status.js';
import { CorruptDataError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import { queryTermsOf, type QueryTerm } from './analyze.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { facetsOf } from './embedded/facets.js';
import { IndexState, type HydratedDoc } from './embedded/index-state.js';
import { Matcher } from './embedded/match.js';
import { formatVersion, readState, writeState } from './embedded/snapshot.js';
import { defaultSpillEntries, PostingSpills } from './embedded/spill.js';
import { DiskSpillFolder, SnapshotFile, SnapshotSink, snapshotFormatOf } from './embedded-files.js';
import { rankerFor, topK } from './embedded/top-k.js';
import { foldForHighlight, highlightField } from './highlight.js';
import { exactTotalCap, SearchQuerySchema, type SearchQuery } from './query.js';
import type {
  DocVersions,
  Highlights,
  ReindexWriter,
  SearchDoc,
  SearchHit,
  SearchIndex,
  SearchPage,
} from './search-index.js';

/**
 * `EmbeddedSearchIndex`: the search engine of `npm start` and of the unit tests, in process, no Java.
 *
 * Why purpose-built. Measured on a synthetic Japanese corpus (2 cores, mixed plain / filtered /
 * sorted / faceted / page-10 queries, median of 7 rounds) at 50k items: a bare in-memory bigram
 * index p50 1.8 ms / p95 27 ms; flexsearch 0.8.212 p50 9.4 / p95 40 ms but 1.6 GB to build;
 * SQLite FTS5 (better-sqlite3 12, pre-split bigrams) p50 48 / p95 174 ms and 213 ms faceted, because
 * each aggregation re-runs the MATCH; FTS5's trigram tokenizer never matches 2-character queries;
 * MiniSearch p50 120 ms and Orama 712 ms with 1–3.4 GB heaps. At 200k: bare index 8.6 / 51 ms,
 * flexsearch 48 / 149 ms (tag filters wrong when combined with text), SQLite 170 / 683 ms and 1.5 s
 * faceted. No library met "within 2× of the bare index, < 1 GB at 200k, persistent", and the
 * in-memory bag-of-bigrams libraries returned extra documents (産学官 in 「産学連携…大学官舎」).
 * Facet counting over tens of thousands of hits is what dominates, so this engine computes the
 * match set once and derives total, facets, sort and page from it.
 *
 * Measured with test/bench/search.ts on the idle 2-core machine against a bare typed-array bigram
 * index without phrase checks (docs/benchmarks.md, "Search"; realistic call-page lengths): at 50k,
 * p50 0.97× and p99 1.40× the bare index, exact on 62 of 62 queries where the bare index is exact
 * on 52; build peak 578 MB, 451 MB RSS serving, restart 0.20 s, 570 MB on disk. At 200k: p50 0.82×,
 * p99 1.33×, build peak 1.2 GB, 954 MB RSS serving, restart 0.50 s, 2.3 GB on disk.
 *
 * Layout (all per internal document number, dense, growable typed arrays; files in `embedded/`):
 * - postings: term → sorted `Uint32Array` of `docNo * 8 | fieldMask` (title 1, summary 2, body 4)
 *   for CJK characters, CJK bigrams, Latin words and run-edge characters (`embedded/tokens.ts`);
 *   words, bigrams and edges carry positions (one slot per entry, further positions as
 *   varints), so a query term of 3+ CJK characters or one typed across scripts is verified by
 *   comparing positions, never by reading text; results equal the brute-force phrase truth;
 * - filter / facet columns (`embedded/columns.ts`): kind, ministry id, prefecture and region
 *   bitmaps, field ids, dates as epoch ms (NaN when absent), withdrawn flags; status is derived
 *   from opensAt/closesAt and the clock into a column reused until the clock passes the next
 *   opensAt/closesAt. Every filter path derives from one registry (`embedded/filters.ts`);
 * - the documents as JSON in deflated blocks of 16 (`embedded/doc-store.ts`), inflated only for
 *   returned hits (the last 4,096 parsed documents are kept, with their fields folded for
 *   highlighting).
 * Updates append a new document number and tombstone the old one; compaction renumbers.
 *
 * Query time. Filters run as one predicate over the columns. A query walks its rarest term's
 * postings (or a filter's candidate list, when shorter) and tests the other terms;
 * terms in at least 1/16 of the documents get, on first use, a per-document field-mask array and
 * per-field bitmaps (derived from the postings, dropped after writes), so a query made only of
 * such terms intersects bitmaps 32 documents at a time. Total, facets and the top-k heap then
 * come from that one match set; highlights only for the returned hits.
 *
 * Persistence (option `dir`): `dir/CURRENT` names the live version folder `vN`, which holds
 * `index.bin` (a snapshot: format number, JSON header + typed-array sections, written to a temp
 * file and renamed; one of another format opens empty, see `staleFormat`)
 * and `wal.jsonl` (upserts and removals since the snapshot, replayed on open; both idempotent, so a
 * crash between snapshot and log truncation is harmless). A snapshot is written when the log
 * grows past half the index (at least 5,000 operations) and on `close()`, so opening never
 * re-tokenises the corpus. A reindex builds `vN+1` and swaps `CURRENT` atomically; while it builds,
 * it spills its postings to files in `vN+1` every `spillEntries` entries and merges them into the
 * snapshot at commit (`embedded/spill.ts`), so building holds a slice of the index, not all of it
 * (50k documents of real length: 0.57 GB peak instead of 1.09 GB). Snapshots are
 * written front to back, with no second copy of the index in memory (`embedded-files.ts`).
 * Opening reads the postings, columns and ids; positions (per term) and documents (per block)
 * stay in the file, kept open, until a query needs them, and after every snapshot the index serves
 * from the new file, so memory holds what queries touched, not the whole index.
 * Without `dir` everything stays in memory.
 */

export interface EmbeddedSearchIndexOptions {
  /** Folder for the index files; absent means memory only. */
  readonly dir?: string;
  readonly clock: Clock;
  /**
   * Posting entries a reindex of a persistent index holds in memory before it spills them to a
   * file in the version folder it builds (default `defaultSpillEntries`, ~150 MB).
   */
  readonly spillEntries?: number;
}

const WalEntrySchema = z.union([
  z.object({ op: z.literal('u'), doc: z.custom<SearchDoc>((v) => typeof v === 'object' && v !== null) }),
  z.object({ op: z.literal('r'), id: z.string() }),
]);

/** `updatedAt` (epoch ms) per live document of `s`, of all or of `ids`. */
function versionsIn(s: IndexState, ids: readonly string[] | undefined): DocVersions {
  const out: DocVersions = new Map();
  const wanted = ids === undefined ? undefined : new Set(ids);
  for (let d = 0; d < s.n; d++) {
    const id = s.ids[d];
    if (!s.cols.alive[d] || id === undefined || (wanted && !wanted.has(id))) continue;
    out.set(id, s.cols.updated[d] as number);
  }
  return out;
}

/**
 * An order-independent digest of a set of documents, each given as `JSON.stringify(toSearchDoc(item))`:
 * the XOR of their SHA-256 hashes. Equal digests mean the same documents with the same content.
 */
export class SearchDocDigest {
  private readonly acc = Buffer.alloc(32);

  add(docJson: string): void {
    const h = createHash('sha256').update(docJson).digest();
    for (let i = 0; i < 32; i++) this.acc[i] = (this.acc[i] as number) ^ (h[i] as number);
  }

  hex(): string {
    return this.acc.toString('hex');
  }
}

export class EmbeddedSearchIndex implements SearchIndex {
  private state = new IndexState();
  private loaded = false;
  private version = 1;
  /** The state a reindex is building, which live writes also reach (see `beginReindex`). */
  private building: IndexState | undefined;
  private walOps = 0;
  /**
   * The format version of a snapshot found on open that this engine does not read (it started
   * empty instead); undefined when the snapshot was read.
   */
  staleFormat: number | undefined;
  private readonly matcher = new Matcher();
  private readonly dir: string | undefined;
  private readonly clock: Clock;

  private readonly spillEntries: number;
  /** Reindexes begun by this instance, for unique spill file names. */
  private builds = 0;

  constructor(options: EmbeddedSearchIndexOptions) {
    this.dir = options.dir;
    this.clock = options.clock;
    this.spillEntries = options.spillEntries ?? defaultSpillEntries;
  }

  async ensureIndex(): Promise<void> {
    this.load();
  }

  async upsert(docs: readonly SearchDoc[]): Promise<void> {
    this.load();
    if (docs.length === 0) return;
    for (const doc of docs) this.state.upsert(doc);
    for (const doc of docs) this.building?.upsert(doc);
    this.log(docs.map((doc) => JSON.stringify({ op: 'u', doc })));
  }

  async remove(ids: readonly ItemId[]): Promise<void> {
    this.load();
    const removed = ids.filter((id) => this.state.remove(id));
    for (const id of ids) this.building?.remove(id);
    if (removed.length > 0) this.log(removed.map((id) => JSON.stringify({ op: 'r', id })));
  }

  async count(): Promise<number> {
    this.load();
    return this.state.live;
  }

  /**
   * A digest of every indexed document's content (see `SearchDocDigest`), to check the index
   * against the store by content rather than by count.
   */
  async contentDigest(): Promise<string> {
    this.load();
    const digest = new SearchDocDigest();
    const s = this.state;
    for (let d = 0; d < s.n; d++) if (s.cols.alive[d]) digest.add(s.docAt(d));
    return digest.hex();
  }

  /**
   * Writes a snapshot (when persistent and anything changed since the last one) and lets the
   * snapshot file go; a later call opens the folder again.
   */
  async close(): Promise<void> {
    if (!this.loaded || this.dir === undefined) return;
    if (this.walOps > 0) this.writeSnapshot(this.version, this.state);
    this.state.release();
    this.state = new IndexState();
    this.walOps = 0;
    this.loaded = false;
  }

  /**
   * Builds a complete new index beside the live one; `commit()` swaps it in (and, when
   * persistent, writes it as the next version folder and points `CURRENT` at it).
   */
  async beginReindex(): Promise<ReindexWriter> {
    this.load();
    const next = new IndexState();
    if (this.dir !== undefined) {
      // Spilled postings go to the version folder the commit will write (or, after a crash, an orphan).
      const prefix = `spill-${process.pid}-${++this.builds}`;
      next.spills = new PostingSpills(
        new DiskSpillFolder(join(this.dir, `v${this.version + 1}`)),
        prefix,
        this.spillEntries,
      );
    }
    // The live indexer's writes go to the new state too until commit or abort (see ReindexWriter).
    this.building = next;
    let done = false;
    const finish = (): void => {
      done = true;
      if (this.building === next) this.building = undefined;
    };
    return {
      upsert: async (docs) => {
        for (const doc of docs) next.upsert(doc);
      },
      remove: async (ids) => {
        for (const id of ids) next.remove(id);
      },
      versions: async (ids) => versionsIn(next, ids),
      count: async () => next.live,
      commit: async () => {
        if (done) return;
        finish();
        if (this.dir !== undefined) {
          const version = this.version + 1;
          try {
            this.writeSnapshot(version, next);
          } finally {
            next.spills?.discard();
          }
          // The snapshot holds it all now: the built state's memory goes before the snapshot is read back.
          next.release();
          const old = this.version;
          this.writeCurrent(version);
          this.version = version;
          rmSync(join(this.dir, `v${old}`), { recursive: true, force: true });
        }
        // A persistent index serves the snapshot just written, its positions and documents read on demand.
        const served = this.dir !== undefined ? this.open(this.version) : next;
        this.state.release();
        this.state = served;
        this.walOps = 0;
      },
      abort: async () => {
        finish();
        next.spills?.discard();
      },
    };
  }

  async versions(ids?: readonly ItemId[]): Promise<DocVersions> {
    this.load();
    return versionsIn(this.state, ids);
  }

  /** Version folders `vN` beside the one `CURRENT` names (a crash while a reindex wrote its snapshot). */
  async listOrphans(): Promise<string[]> {
    this.load();
    if (this.dir === undefined) return [];
    return readdirSync(this.dir)
      .filter((name) => /^v\d+$/.test(name) && name !== `v${this.version}`)
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }

  async removeOrphans(): Promise<string[]> {
    const orphans = await this.listOrphans();
    for (const name of orphans) rmSync(join(this.dir as string, name), { recursive: true, force: true });
    return orphans;
  }

  async search(input: SearchQuery): Promise<SearchPage> {
    this.load();
    const query = parseInput(SearchQuerySchema, input);
    const s = this.state;
    const now = this.clock.now().getTime();
    const terms = queryTermsOf(query.text);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort);
    const matches = this.matcher.match(s, query, terms, now);
    const facets = facetsOf(s, matches.docs, matches.count, now);
    const ranker = rankerFor(s, query.sort, now);
    const { page, more } = topK(s, matches, query.size, query.sort, ranker, cursor, terms.length, now);
    const nowDate = new Date(now);
    const items: SearchHit[] = page.map(([d]) => {
      const hydrated = s.hydrate(d);
      const doc = hydrated.doc;
      return { doc, status: statusAt(doc, nowDate), highlights: highlightsOf(hydrated, terms) };
    });
    const last = page[page.length - 1];
    return {
      total: Math.min(matches.count, exactTotalCap),
      totalIsLowerBound: matches.count > exactTotalCap,
      items,
      facets,
      nextCursor:
        more && last ? encodeCursor(query.sort, ranker.values(last[0], last[1]), s.ids[last[0]] as string) : undefined,
    };
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (this.dir === undefined) return;
    mkdirSync(this.dir, { recursive: true });
    const currentFile = join(this.dir, 'CURRENT');
    if (!existsSync(currentFile)) {
      this.version = 1;
      this.writeSnapshot(1, this.state);
      this.writeCurrent(1);
      return;
    }
    const current = readFileSync(currentFile, 'utf8').trim();
    const match = /^v(\d+)$/.exec(current);
    if (!match) {
      throw new CorruptDataError(`index folder ${this.dir} has a bad CURRENT file: ${JSON.stringify(current)}`, {
        path: currentFile,
      });
    }
    this.version = Number(match[1]);
    const folder = join(this.dir, current);
    const file = join(folder, 'index.bin');
    const format = snapshotFormatOf(file);
    if (format !== formatVersion) {
      // A snapshot of another format (an older engine): start empty, so the start-up check
      // against the store (`ensureIndexCurrent`) sees the difference and rebuilds from the store.
      this.staleFormat = format ?? 0;
      this.snapshot();
      return;
    }
    this.state = this.open(this.version);
    const walFile = join(folder, 'wal.jsonl');
    if (existsSync(walFile)) {
      for (const line of readFileSync(walFile, 'utf8').split('\n')) {
        if (line === '') continue;
        let entry: z.infer<typeof WalEntrySchema>;
        try {
          entry = WalEntrySchema.parse(JSON.parse(line));
        } catch {
          // A torn last line from a crash mid-append: everything before it is intact.
          break;
        }
        if (entry.op === 'u') this.state.upsert(entry.doc);
        else this.state.remove(entry.id);
        this.walOps++;
      }
    }
  }

  private log(lines: string[]): void {
    if (this.dir === undefined) return;
    appendFileSync(join(this.dir, `v${this.version}`, 'wal.jsonl'), lines.join('\n') + '\n');
    this.walOps += lines.length;
    if (this.walOps > Math.max(5000, this.state.live / 2)) this.snapshot();
  }

  private snapshot(): void {
    this.writeSnapshot(this.version, this.state);
    this.walOps = 0;
    this.reopen();
  }

  /**
   * Serves from the snapshot just written for the current version, so the memory of a state built
   * or grown in memory is given back: positions and documents are read from the file on demand.
   */
  private reopen(): void {
    const state = this.open(this.version);
    this.state.release();
    this.state = state;
  }

  /** The state of version `version`'s snapshot, which keeps the file open (see `readState`). */
  private open(version: number): IndexState {
    const file = new SnapshotFile(join(this.dir as string, `v${version}`, 'index.bin'));
    try {
      return readState(file);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  private writeSnapshot(version: number, state: IndexState): void {
    const dir = this.dir as string;
    const folder = join(dir, `v${version}`);
    mkdirSync(folder, { recursive: true });
    const tmp = join(folder, `index.bin.${process.pid}.tmp`);
    const sink = new SnapshotSink(tmp);
    try {
      writeState(state, sink);
    } finally {
      sink.close();
    }
    renameSync(tmp, join(folder, 'index.bin'));
    writeFileSync(join(folder, 'wal.jsonl'), '');
  }

  private writeCurrent(version: number): void {
    const dir = this.dir as string;
    const tmp = join(dir, `CURRENT.${process.pid}.tmp`);
    writeFileSync(tmp, `v${version}\n`);
    renameSync(tmp, join(dir, 'CURRENT'));
  }
}

function highlightsOf(h: HydratedDoc, terms: readonly QueryTerm[]): Highlights {
  if (terms.length === 0) return {};
  const doc = h.doc;
  const out: { title?: string[]; summary?: string[]; bodyText?: string[] } = {};
  const title = highlightField((h.title ??= foldForHighlight(doc.title)), terms);
  if (title.length > 0) out.title = title;
  const summary = doc.summary === undefined ? [] : highlightField((h.summary ??= foldForHighlight(doc.summary)), terms);
  if (summary.length > 0) out.summary = summary;
  const body = doc.bodyText === undefined ? [] : highlightField((h.bodyText ??= foldForHighlight(doc.bodyText)), terms);
  if (body.length > 0) out.bodyText = body;
  return out;
}
