import { gallop } from '../gallop.js';
import type { Positions } from './positions.js';

/**
 * Posting lists: per index term, the sorted entries `docNo * 8 | fieldMask` (title 1, summary 2,
 * body 4) in a growable `Uint32Array`, and for words, bigrams and run-edge characters the
 * positions of each entry; loaded ones are views into the snapshot.
 */
export interface Posting {
  data: Uint32Array;
  len: number;
  pos?: Positions;
}

/** Appends an entry (document numbers only grow, so the list stays sorted); returns the list. */
export function addPosting(postings: Map<string, Posting>, term: string, entry: number): Posting {
  let p = postings.get(term);
  if (!p) {
    p = { data: new Uint32Array(4), len: 0 };
    postings.set(term, p);
  } else if (p.len === p.data.length) {
    const bigger = new Uint32Array(Math.max(4, p.len * 2));
    bigger.set(p.data.subarray(0, p.len));
    p.data = bigger;
  }
  p.data[p.len++] = entry;
  return p;
}

/** Smallest index `k >= from` (below `len`) with `docNo(data[k]) >= d`, or `len`. */
export function seekDoc(data: Uint32Array, len: number, from: number, d: number): number {
  return gallop(data, from, len, d * 8);
}

/** A frequent term's postings as a field mask per document, a bitmap, and a bitmap per field. */
interface DenseForm {
  readonly masks: Uint8Array;
  readonly bits: Uint32Array;
  readonly fieldBits: Uint32Array[];
}

/**
 * Dense forms of frequent terms (in at least 1/16 of the documents), built on first use and
 * dropped when the document count changes: the match loop then tests membership with one read,
 * and a query made only of such terms intersects bitmaps 32 documents at a time.
 */
export class DenseForms {
  private readonly forms = new Map<Posting, DenseForm>();

  /** Whether a term is frequent enough for a dense form among `n` documents. */
  static isDense(p: Posting, n: number): boolean {
    return p.len * 16 >= n;
  }

  clear(): void {
    this.forms.clear();
  }

  of(p: Posting, n: number): DenseForm {
    let dense = this.forms.get(p);
    if (dense === undefined || dense.masks.length !== n) {
      if (this.forms.size >= 256) this.forms.clear();
      const masks = new Uint8Array(n);
      const words = (n + 31) >>> 5;
      const bits = new Uint32Array(words);
      const fieldBits = [new Uint32Array(words), new Uint32Array(words), new Uint32Array(words)];
      for (let k = 0; k < p.len; k++) {
        const e = p.data[k] as number;
        const d = e >>> 3;
        const w = d >>> 5;
        const bit = 1 << (d & 31);
        masks[d] = e & 7;
        bits[w] = (bits[w] as number) | bit;
        for (let f = 0; f < 3; f++) {
          const fb = fieldBits[f] as Uint32Array;
          if (e & (1 << f)) fb[w] = (fb[w] as number) | bit;
        }
      }
      dense = { masks, bits, fieldBits };
      this.forms.set(p, dense);
    }
    return dense;
  }

  /** The field mask per document of a frequent term; undefined for a rare one. */
  masks(p: Posting, n: number): Uint8Array | undefined {
    return DenseForms.isDense(p, n) ? this.of(p, n).masks : undefined;
  }
}
