import { ministryByName } from '../../shared/taxonomy/ministries.js';
import { prefectureBy } from '../../shared/taxonomy/prefectures.js';
import { regionBy } from '../../shared/taxonomy/regions.js';

/**
 * Resolves a `prefecture` query value to a JIS X 0401 code: `13`, `1` (→ `01`), 東京都, 東京,
 * tokyo, or full-width １３. `undefined` when it names no prefecture.
 */
export function prefectureCodeOf(value: string): string | undefined {
  return prefectureBy(value.trim())?.code;
}

/** `kanto`, 関東, 関東地方 → `kanto`; anything else is returned unchanged for the schema to reject. */
export function regionCodeOf(value: string): string {
  return regionBy(value)?.code ?? value;
}

/** `mext`, 文部科学省, 文科省, ＪＳＴ → the ministry code; unknown values are returned unchanged. */
export function ministryCodeOf(value: string): string {
  return ministryByName(value)?.code ?? value;
}
