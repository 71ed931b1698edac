import * as z from 'zod';
import { CorruptDataError } from '../../errors.js';
import { Dictionary, type FieldIds } from './columns.js';
import { DocStore } from './doc-store.js';
import { IndexState } from './index-state.js';
import type { Posting } from './postings.js';
import { ByteWriter } from './varint.js';

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

function bytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** One section of the file: its size, and how to write it at the start of `into`. */
type Section = [name: string, byteLength: number, write: (into: Uint8Array) => void];

function whole(name: string, b: Uint8Array): Section {
  return [name, b.byteLength, (into) => into.set(b)];
}

/**
 * Serialises a state (compacting it first). The postings and positions are copied term by term
 * straight into the output, so the only full copy of the index is the file's own buffer.
 */
export function serializeState(s: IndexState): Buffer {
  s.compact();
  const lists = [...s.postings.values()];
  const count = lists.length;
  // Per term, where its entries, position slots and further position bytes start (equal slot
  // bounds: no positions).
  const offsets = new Uint32Array(count + 1);
  const slotOffsets = new Uint32Array(count + 1);
  const posOffsets = new Float64Array(count + 1);
  lists.forEach((p, i) => {
    offsets[i + 1] = (offsets[i] as number) + p.len;
    slotOffsets[i + 1] = (slotOffsets[i] as number) + (p.pos?.entries ?? 0);
    posOffsets[i + 1] = (posOffsets[i] as number) + (p.pos?.more.used ?? 0);
  });
  const termByTerm =
    (from: Uint32Array | Float64Array, bytesPer: number, part: (p: Posting) => Uint8Array | undefined) =>
    (into: Uint8Array): void =>
      lists.forEach((p, i) => {
        const b = part(p);
        if (b !== undefined) into.set(b, (from[i] as number) * bytesPer);
      });
  const n = s.n;
  const fieldOffsets = new Uint32Array(n + 1);
  const fieldFlat: number[] = [];
  for (let d = 0; d < n; d++) {
    fieldOffsets[d] = fieldFlat.length;
    for (const f of s.cols.fieldIds[d] as FieldIds) fieldFlat.push(f);
  }
  fieldOffsets[n] = fieldFlat.length;
  const docs = s.docs.sections(n);
  const utf16 = (text: string): Uint8Array => Buffer.from(text, 'utf16le');
  const sections: Section[] = [
    whole('terms', utf16([...s.postings.keys()].join('\n'))),
    whole('ids', utf16(s.ids.slice(0, n).join('\n'))),
    whole('docBlocks', docs.blocks),
    whole('docBlockOffsets', bytes(docs.offsets)),
    whole('docLocations', bytes(docs.loc)),
    whole('postingOffsets', bytes(offsets)),
    ['postings', (offsets[count] as number) * 4, termByTerm(offsets, 4, (p) => bytes(p.data.subarray(0, p.len)))],
    whole('positionOffsets', bytes(posOffsets)),
    ['positions', posOffsets[count] as number, termByTerm(posOffsets, 1, (p) => p.pos?.more.view())],
    whole('slotOffsets', bytes(slotOffsets)),
    [
      'slots',
      (slotOffsets[count] as number) * 4,
      termByTerm(slotOffsets, 4, (p) => (p.pos ? bytes(p.pos.slots.subarray(0, p.pos.entries)) : undefined)),
    ],
    whole('fieldOffsets', bytes(fieldOffsets)),
    whole('fieldIds', bytes(Uint32Array.from(fieldFlat))),
    ...s.cols.stored().map(([name, col]) => whole(name, bytes(col.subarray(0, n)))),
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
  const headerLen = align8(header.byteLength);
  const out = Buffer.alloc(8 + headerLen + at);
  out.writeUInt32LE(formatVersion, 0);
  out.writeUInt32LE(header.byteLength, 4);
  out.set(header, 8);
  const base = 8 + headerLen;
  for (const [name, byteLength, write] of sections) {
    const [off] = layout[name] as [number, number];
    write(out.subarray(base + off, base + off + byteLength));
  }
  return out;
}

/** The state a snapshot holds; its documents stay in `buf` until asked for. */
export function deserializeState(buf: Buffer): IndexState {
  const headerLen = buf.readUInt32LE(4);
  const header = SnapshotHeaderSchema.parse(JSON.parse(buf.toString('utf8', 8, 8 + headerLen)));
  const base = 8 + align8(headerLen);
  const entry = (name: string): [number, number] => {
    const e = header.layout[name];
    if (!e) throw new CorruptDataError(`index snapshot lacks section ${name}`);
    return e;
  };
  const section = (name: string): Uint8Array => {
    const [off, len] = entry(name);
    const at = buf.byteOffset + base + off;
    // A view when aligned (large files get their own buffer at offset 0), else an aligned copy.
    if (at % 8 === 0) return new Uint8Array(buf.buffer, at, len);
    return Uint8Array.prototype.slice.call(buf, base + off, base + off + len);
  };
  const text = (name: string): string => {
    const [off, len] = entry(name);
    return buf.toString('utf16le', base + off, base + off + len);
  };
  const u32 = (name: string): Uint32Array => {
    const b = section(name);
    return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const f64 = (name: string): Float64Array => {
    const b = section(name);
    return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  };
  const s = new IndexState();
  const n = header.n;
  s.n = n;
  s.live = n;
  s.ids = n === 0 ? [] : text('ids').split('\n');
  s.docs = DocStore.fromSections(section('docBlocks'), f64('docBlockOffsets'), u32('docLocations'));
  s.dropIdMap();
  s.cols.ministries = new Dictionary(header.ministries);
  s.cols.fields = new Dictionary(header.fields);
  const offsets = u32('postingOffsets');
  const data = u32('postings');
  const posOffsets = f64('positionOffsets');
  const posBytes = section('positions');
  const slotOffsets = u32('slotOffsets');
  const slots = u32('slots');
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
      const posTo = posOffsets[i + 1] as number;
      const slotFrom = slotOffsets[i] as number;
      const slotTo = slotOffsets[i + 1] as number;
      s.postings.set(term, {
        data: data.subarray(from, to),
        len: to - from,
        ...(slotTo > slotFrom
          ? {
              pos: {
                slots: slots.subarray(slotFrom, slotTo),
                more: new ByteWriter(posBytes.subarray(posFrom, posTo), posTo - posFrom),
                entries: to - from,
              },
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
