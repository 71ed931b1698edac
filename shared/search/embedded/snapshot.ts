import * as z from 'zod';
import { CorruptDataError } from '../../errors.js';
import { Dictionary, type FieldIds } from './columns.js';
import { DocStore } from './doc-store.js';
import { IndexState } from './index-state.js';
import { manyFlag, StoredPositions, type Positions } from './positions.js';
import { bytesOf, type ByteSink, type ByteSource } from './byte-io.js';
import type { PostingSpills, SpillRead, SpillRecord } from './spill.js';

/**
 * The snapshot file: `formatVersion` (u32 LE), header length (u32 LE), a JSON header naming the
 * sections, then 8-byte aligned sections (typed arrays as bytes, strings as UTF-16: decoding that
 * is a copy, where UTF-8 Japanese costs ~10× more at load).
 */
export const formatVersion = 8;

const SnapshotHeaderSchema = z.object({
  formatVersion: z.literal(formatVersion),
  n: z.number().int().nonnegative(),
  ministries: z.array(z.string()),
  fields: z.array(z.string()),
  layout: z.record(z.string(), z.tuple([z.number(), z.number()])),
});

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** One section of the file: its size, and how to write its bytes, in order, to the sink. */
type Section = [name: string, byteLength: number, write: (sink: ByteSink) => void];

function whole(name: string, b: Uint8Array): Section {
  return [name, b.byteLength, (sink) => sink.write(b)];
}

/** Whether a term's positions are still only in the snapshot it was loaded from. */
function unread(pos: Positions): pos is StoredPositions {
  return pos instanceof StoredPositions && !pos.isLoaded;
}

/** A term's position slots as they go into the file. */
function slotBytes(pos: Positions): Uint8Array {
  return unread(pos) ? pos.storedSlots() : bytesOf(pos.slots.subarray(0, pos.entries));
}

/** A term's further position bytes as they go into the file. */
function moreBytes(pos: Positions): Uint8Array {
  return unread(pos) ? pos.storedMore() : pos.more.view();
}

/** Their length, without reading them. */
function moreLength(pos: Positions): number {
  return unread(pos) ? pos.storedLength : pos.more.used;
}

const utf16 = (text: string): Uint8Array => Buffer.from(text, 'utf16le');

/**
 * Per term, where its entries, position slots and further position bytes start in their sections
 * (equal slot bounds: no positions), as the snapshot stores them.
 */
interface TermOffsets {
  readonly offsets: Uint32Array;
  readonly slotOffsets: Uint32Array;
  readonly posOffsets: Float64Array;
}

function offsetSections(terms: readonly string[], o: TermOffsets): Section[] {
  return [
    whole('terms', utf16(terms.join('\n'))),
    whole('postingOffsets', bytesOf(o.offsets)),
    whole('positionOffsets', bytesOf(o.posOffsets)),
    whole('slotOffsets', bytesOf(o.slotOffsets)),
  ];
}

/** The postings sections of a state that holds all its postings in memory (compacted). */
function memoryPostingSections(s: IndexState): Section[] {
  const lists = [...s.postings.values()];
  const count = lists.length;
  const o: TermOffsets = {
    offsets: new Uint32Array(count + 1),
    slotOffsets: new Uint32Array(count + 1),
    posOffsets: new Float64Array(count + 1),
  };
  lists.forEach((p, i) => {
    o.offsets[i + 1] = (o.offsets[i] as number) + p.len;
    o.slotOffsets[i + 1] = (o.slotOffsets[i] as number) + (p.pos?.entries ?? 0);
    o.posOffsets[i + 1] = (o.posOffsets[i] as number) + (p.pos === undefined ? 0 : moreLength(p.pos));
  });
  return [
    ...offsetSections([...s.postings.keys()], o),
    [
      'postings',
      (o.offsets[count] as number) * 4,
      (sink) => lists.forEach((p) => sink.write(bytesOf(p.data.subarray(0, p.len)))),
    ],
    [
      'positions',
      o.posOffsets[count] as number,
      (sink) => lists.forEach((p) => p.pos !== undefined && sink.write(moreBytes(p.pos))),
    ],
    [
      'slots',
      (o.slotOffsets[count] as number) * 4,
      (sink) => lists.forEach((p) => p.pos !== undefined && sink.write(slotBytes(p.pos))),
    ],
  ];
}

/** Per entry with further position bytes, where its bytes end (the next such entry's start, or `length`). */
function runEnds(slots: Uint32Array, length: number): Uint32Array {
  const ends = new Uint32Array(slots.length);
  let end = length;
  for (let k = slots.length - 1; k >= 0; k--) {
    const slot = slots[k] as number;
    if (slot < manyFlag) continue;
    ends[k] = end;
    end = slot - manyFlag;
  }
  return ends;
}

/**
 * Calls `visit` with each term, in sorted order, and its parts: the records of the spill files
 * that hold it, in document order (each file is read front to back).
 */
function eachMergedTerm(
  spills: PostingSpills,
  read: SpillRead,
  visit: (term: string, parts: readonly SpillRecord[]) => void,
): void {
  const readers = spills.readers();
  try {
    for (;;) {
      let term: string | undefined;
      for (const r of readers) {
        const t = r.peek();
        if (t !== undefined && (term === undefined || t < term)) term = t;
      }
      if (term === undefined) return;
      const parts: SpillRecord[] = [];
      for (const r of readers) if (r.peek() === term) parts.push(r.next(read));
      visit(term, parts);
    }
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * The postings sections merged from spill files: a term's parts are concatenated (document numbers
 * only grow from one spill to the next), without the entries of removed documents and renumbered by
 * `map` when some were removed. One pass counts; each section then reads the files once more.
 */
function mergedPostingSections(spills: PostingSpills, map: Int32Array | undefined): Section[] {
  const kept = (e: number): boolean => map === undefined || (map[e >>> 3] as number) >= 0;
  const terms: string[] = [];
  const counts: number[] = [];
  const slotCounts: number[] = [];
  const moreCounts: number[] = [];
  eachMergedTerm(spills, map === undefined ? 'entries' : 'slots', (term, parts) => {
    let entries = 0;
    let more = 0;
    for (const part of parts) {
      if (map === undefined) {
        entries += part.data.length;
        more += part.moreLength;
        continue;
      }
      const ends = part.slots === undefined ? undefined : runEnds(part.slots, part.moreLength);
      part.data.forEach((e, k) => {
        if (!kept(e)) return;
        entries++;
        const slot = part.slots?.[k] as number;
        if (ends !== undefined && slot >= manyFlag) more += (ends[k] as number) - (slot - manyFlag);
      });
    }
    if (entries === 0) return;
    terms.push(term);
    counts.push(entries);
    slotCounts.push(parts[0]?.hasPositions ? entries : 0);
    moreCounts.push(more);
  });
  const count = terms.length;
  const o: TermOffsets = {
    offsets: new Uint32Array(count + 1),
    slotOffsets: new Uint32Array(count + 1),
    posOffsets: new Float64Array(count + 1),
  };
  for (let i = 0; i < count; i++) {
    o.offsets[i + 1] = (o.offsets[i] as number) + (counts[i] as number);
    o.slotOffsets[i + 1] = (o.slotOffsets[i] as number) + (slotCounts[i] as number);
    o.posOffsets[i + 1] = (o.posOffsets[i] as number) + (moreCounts[i] as number);
  }
  const renumbered = (data: Uint32Array): Uint32Array => {
    if (map === undefined) return data;
    const out = new Uint32Array(data.length);
    let w = 0;
    for (const e of data) if (kept(e)) out[w++] = (map[e >>> 3] as number) * 8 + (e & 7);
    return out.subarray(0, w);
  };
  return [
    ...offsetSections(terms, o),
    [
      'postings',
      (o.offsets[count] as number) * 4,
      (sink) =>
        eachMergedTerm(spills, 'entries', (_t, parts) => parts.forEach((p) => sink.write(bytesOf(renumbered(p.data))))),
    ],
    [
      'positions',
      o.posOffsets[count] as number,
      (sink) =>
        eachMergedTerm(spills, 'all', (_t, parts) => {
          for (const part of parts) {
            const { slots, more } = part;
            if (slots === undefined || more === undefined) continue;
            if (map === undefined) {
              sink.write(more);
              continue;
            }
            const ends = runEnds(slots, more.length);
            part.data.forEach((e, k) => {
              const slot = slots[k] as number;
              if (kept(e) && slot >= manyFlag) sink.write(more.subarray(slot - manyFlag, ends[k]));
            });
          }
        }),
    ],
    [
      'slots',
      (o.slotOffsets[count] as number) * 4,
      (sink) =>
        eachMergedTerm(spills, 'slots', (_t, parts) => {
          // Further position bytes of the term's earlier parts (as kept) come first: slots move by them.
          let base = 0;
          for (const part of parts) {
            const slots = part.slots;
            if (slots === undefined) continue;
            const ends = runEnds(slots, part.moreLength);
            const out = new Uint32Array(slots.length);
            let w = 0;
            part.data.forEach((e, k) => {
              if (!kept(e)) return;
              const slot = slots[k] as number;
              if (slot < manyFlag) out[w++] = slot;
              else {
                const at = slot - manyFlag;
                out[w++] = (manyFlag | (base + (map === undefined ? at : 0))) >>> 0;
                if (map !== undefined) base += (ends[k] as number) - at;
              }
            });
            if (map === undefined) base += part.moreLength;
            sink.write(bytesOf(out.subarray(0, w)));
          }
        }),
    ],
  ];
}

/**
 * Writes a state to `sink` (compacting it first; the caller closes the sink), front to back: the
 * postings and positions go term by term and the stored documents block by block, so writing needs
 * no second copy of the index in memory; positions and documents still in an earlier snapshot are
 * copied from it. A state that spilled postings while a reindex built it has them merged from its
 * spill files.
 */
export function writeState(s: IndexState, sink: ByteSink): void {
  let postingSections: Section[];
  if (s.spills !== undefined && s.spills.files.length > 0) {
    s.spillPostings();
    const map = s.renumbering();
    if (map !== undefined) s.compactRows(map);
    postingSections = mergedPostingSections(s.spills, map);
  } else {
    s.compact();
    postingSections = memoryPostingSections(s);
  }
  const n = s.n;
  const fieldOffsets = new Uint32Array(n + 1);
  const fieldFlat: number[] = [];
  for (let d = 0; d < n; d++) {
    fieldOffsets[d] = fieldFlat.length;
    for (const f of s.cols.fieldIds[d] as FieldIds) fieldFlat.push(f);
  }
  fieldOffsets[n] = fieldFlat.length;
  const docs = s.docs.sections(n);
  const sections: Section[] = [
    ...postingSections,
    whole('ids', utf16(s.ids.slice(0, n).join('\n'))),
    ['docBlocks', docs.offsets[docs.offsets.length - 1] as number, (sink) => docs.writeBlocks((b) => sink.write(b))],
    whole('docBlockOffsets', bytesOf(docs.offsets)),
    whole('docLocations', bytesOf(docs.loc)),
    whole('fieldOffsets', bytesOf(fieldOffsets)),
    whole('fieldIds', bytesOf(Uint32Array.from(fieldFlat))),
    ...s.cols.stored().map(([name, col]) => whole(name, bytesOf(col.subarray(0, n)))),
  ];
  const layout: Record<string, [number, number]> = {};
  let at = 0;
  for (const [name, byteLength] of sections) {
    layout[name] = [at, byteLength];
    at += align8(byteLength);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ formatVersion, n, ministries: s.cols.ministries.values, fields: s.cols.fields.values, layout }),
  );
  const lead = new Uint8Array(8);
  const view = new DataView(lead.buffer);
  view.setUint32(0, formatVersion, true);
  view.setUint32(4, header.byteLength, true);
  sink.write(lead);
  sink.write(header);
  sink.pad(8);
  const base = sink.written;
  for (const [name, byteLength, write] of sections) {
    write(sink);
    const [off] = layout[name] as [number, number];
    if (sink.written - base !== off + byteLength) {
      throw new CorruptDataError(
        `index snapshot section ${name} came out ${sink.written - base - off} bytes, not ${byteLength}`,
        { path: sink.path },
      );
    }
    sink.pad(8);
  }
}

/**
 * The state the snapshot in `file` holds. Postings, columns and ids are read now (one read per
 * section); token positions and stored documents stay in the file, read when a query first needs
 * them, so the state keeps the file (`IndexState.release` closes it).
 */
export function readState(file: ByteSource): IndexState {
  if (file.size < 8)
    throw new CorruptDataError(`index snapshot ${file.path} is ${file.size} bytes long`, { path: file.path });
  const lead = new DataView(file.bytes(0, 8).buffer);
  const headerLen = lead.getUint32(4, true);
  const header = SnapshotHeaderSchema.parse(JSON.parse(Buffer.from(file.bytes(8, headerLen)).toString('utf8')));
  const base = 8 + align8(headerLen);
  const entry = (name: string): [number, number] => {
    const e = header.layout[name];
    if (!e) throw new CorruptDataError(`index snapshot lacks section ${name}`, { path: file.path });
    return e;
  };
  const section = (name: string): Uint8Array => {
    const [off, len] = entry(name);
    return file.bytes(base + off, len);
  };
  const at = (name: string): number => base + entry(name)[0];
  const text = (name: string): string => Buffer.from(section(name).buffer).toString('utf16le');
  const u32 = (name: string): Uint32Array => new Uint32Array(section(name).buffer);
  const f64 = (name: string): Float64Array => new Float64Array(section(name).buffer);
  const s = new IndexState();
  s.source = file;
  const n = header.n;
  s.n = n;
  s.live = n;
  s.ids = n === 0 ? [] : text('ids').split('\n');
  s.docs = DocStore.fromStored(file, at('docBlocks'), f64('docBlockOffsets'), u32('docLocations'));
  s.dropIdMap();
  s.cols.ministries = new Dictionary(header.ministries);
  s.cols.fields = new Dictionary(header.fields);
  const offsets = u32('postingOffsets');
  const data = u32('postings');
  const posOffsets = f64('positionOffsets');
  const posAt = at('positions');
  const slotOffsets = u32('slotOffsets');
  const slotsAt = at('slots');
  const terms = text('terms');
  let termStart = 0;
  let i = 0;
  if (terms.length > 0) {
    for (;;) {
      const nl = terms.indexOf('\n', termStart);
      const term = nl < 0 ? terms.slice(termStart) : terms.slice(termStart, nl);
      const from = offsets[i] as number;
      const to = offsets[i + 1] as number;
      const posFrom = posOffsets[i] as number;
      const slotFrom = slotOffsets[i] as number;
      const slotTo = slotOffsets[i + 1] as number;
      s.postings.set(term, {
        data: data.subarray(from, to),
        len: to - from,
        ...(slotTo > slotFrom
          ? {
              pos: new StoredPositions(
                file,
                slotsAt + slotFrom * 4,
                posAt + posFrom,
                (posOffsets[i + 1] as number) - posFrom,
                to - from,
              ),
            }
          : {}),
      });
      i++;
      if (nl < 0) break;
      termStart = nl + 1;
    }
  }
  const cap = Math.max(16, n);
  s.cols.resize(cap);
  for (const [name] of s.cols.stored()) s.cols.restore(name, section(name), cap);
  const fieldOffsets = u32('fieldOffsets');
  const fieldFlat = u32('fieldIds');
  for (let d = 0; d < n; d++) s.cols.setFields(d, fieldFlat.subarray(fieldOffsets[d], fieldOffsets[d + 1]));
  s.cols.alive.fill(1, 0, n);
  return s;
}
