import type { RegionBlock } from '../../shared/domain/item.js';
import { fields } from '../../shared/taxonomy/fields.js';
import { ministryByName } from '../../shared/taxonomy/ministries.js';
import { normalizeText } from '../../shared/ja/normalize.js';
import { prefectureBy, prefectures } from '../../shared/taxonomy/prefectures.js';
import { regionBy, regions } from '../../shared/taxonomy/regions.js';

/**
 * Names and codes a search parameter accepts, resolved to the codes items carry. The request
 * schemas (schemas.ts) parse with these, and the OpenAPI document lists the same accepted forms.
 */

/**
 * Resolves a `prefecture` query value to a JIS X 0401 code: `13`, `1` (→ `01`), 東京都, 東京,
 * tokyo, or full-width １３. `undefined` when it names no prefecture.
 */
export function prefectureCodeOf(value: string): string | undefined {
  return prefectureBy(value.trim())?.code;
}

/** The forms of each prefecture `prefectureCodeOf` knows (before width and case folding): 20, 長野県, 長野, nagano, 1. */
export const prefectureForms: readonly string[] = [
  ...new Set(prefectures.flatMap((p) => [p.code, p.name, p.short, p.slug, String(Number(p.code))])),
];

/** `kanto`, 関東, 関東地方 → `kanto`; `undefined` when it names no block. */
export function regionCodeOf(value: string): RegionBlock | undefined {
  return regionBy(value)?.code;
}

/** The forms of each block `regionCodeOf` knows: chubu, 中部, 中部地方. */
export const regionForms: readonly string[] = regions.flatMap((r) => [r.code, r.label, `${r.label}地方`]);

/** `life-science` or its label ライフサイエンス (width folded) → `life-science`; `undefined` when neither. */
export function fieldCodeOf(value: string): string | undefined {
  const folded = normalizeText(value.trim());
  return fields.find((f) => f.code === folded.toLowerCase() || f.label === folded)?.code;
}

/** Codes and labels of the research fields: life-science, ライフサイエンス … */
export const fieldForms: readonly string[] = fields.flatMap((f) => [f.code, f.label]);

/** `mext`, 文部科学省, 文科省, ＪＳＴ → the ministry code; unknown values are returned unchanged. */
export function ministryCodeOf(value: string): string {
  return ministryByName(value)?.code ?? value;
}
