import * as z from 'zod';
import { InvalidInputError } from '../errors.js';
import { SearchQuerySchema, type ParsedSearchQuery } from './query.js';

/**
 * Search cursors (search_after style): the sort values and id of the last hit of a page, for the
 * sort it was made with. Opaque to callers (base64url JSON); a cursor that does not decode, or was
 * made for another sort, is an `InvalidInputError` on the `cursor` field.
 */
const CursorSchema = z.strictObject({
  s: SearchQuerySchema.shape.sort.unwrap(),
  v: z.array(z.union([z.number(), z.string(), z.null()])).max(4),
  id: z.string().min(1).max(200),
});

export type CursorValues = readonly (number | string | null)[];

export function encodeCursor(sort: ParsedSearchQuery['sort'], values: CursorValues, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values, id }), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string,
  sort: ParsedSearchQuery['sort'],
): { values: readonly (number | null)[]; rawValues: CursorValues; id: string } {
  const bad = (message: string, cause?: unknown): InvalidInputError =>
    new InvalidInputError([{ path: ['cursor'], message }], cause === undefined ? undefined : { cause });
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw bad('cursor is not one this service issued; pass nextCursor from a previous page unchanged', error);
  }
  const parsed = CursorSchema.safeParse(raw);
  if (!parsed.success)
    throw bad('cursor is not one this service issued; pass nextCursor from a previous page unchanged');
  if (parsed.data.s !== sort) throw bad(`cursor was made for sort "${parsed.data.s}", not "${sort}"`);
  return {
    values: parsed.data.v.map((v) => (typeof v === 'number' ? v : null)),
    rawValues: parsed.data.v,
    id: parsed.data.id,
  };
}
