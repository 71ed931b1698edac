import type { z } from 'zod';
import { InvalidInputError } from './errors.js';

/**
 * Parses a value from outside with a zod schema; throws `InvalidInputError` with the zod issue
 * paths kept (prefixed by `pathPrefix`, e.g. `['Records', 3, 'dynamodb', 'NewImage']`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  pathPrefix: readonly (string | number)[] = [],
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    result.error.issues.map((issue) => ({
      path: [...pathPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: issue.message,
    })),
    { cause: result.error },
  );
}
