/**
 * Prints the configuration table of docs/local.md from shared/config.ts (`npx tsx scripts/config-table.ts`).
 * test/unit/readme.test.ts fails when that table and the code drift apart.
 */
import type { z } from 'zod';
import { configFields } from '../shared/config.js';

/** The markdown table: variable, default, meaning. */
export function configTable(): string {
  const rows = Object.entries(configFields).map(([name, field]) => {
    const parsed = (field.schema as z.ZodType).safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '(unset)';
    return `| \`${name}\` | ${fallback} | ${field.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
