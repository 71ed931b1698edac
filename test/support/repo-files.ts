import { existsSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * The TypeScript sources (`.ts`, not `.d.ts`) below `folder` of the repository at `root`, as
 * paths relative to it, skipping the folders `skipped` names (and everything under them).
 */
export function listTs(root: string, folder: string, skipped: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(posix.join(root, dir))) return;
    for (const entry of readdirSync(posix.join(root, dir), { withFileTypes: true })) {
      const rel = posix.join(dir, entry.name);
      if (skipped.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}
