/**
 * Resolves a `prefecture` query value to a JIS X 0401 code: `13`, `1` (→ `01`), or a name.
 */
export function prefectureCodeOf(value: string): string | undefined {
  const trimmed = value.trim();
  if (/^\d{1,2}$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1 && n <= 47 ? String(n).padStart(2, '0') : undefined;
  }
  return undefined;
}
