/**
 * `chiiki sources check [--registry live|sample|FILE]...`: validates every source definition of
 * the shipped registries (or the files given) and prints, per registry, one line of counts, the
 * prefecture coverage and the number of unverified sources that run. Exit 2 with every bad field
 * named (`sources.3.schedule: ...`) when a definition is invalid, and with the source named when a
 * prefecture source breaks a rule of `prefectureSourceProblems`.
 */
import type { Source } from '../../../shared/domain/source.js';
import { builtInRegistries, loadRegistry } from '../../../shared/sources/registry.js';
import { prefectures } from '../../../shared/taxonomy/prefectures.js';
import { AppError } from '../../../shared/errors.js';

export const usage = 'usage: chiiki sources check [--registry live|sample|FILE]...';

/**
 * A note says where a source's URL came from when it holds the word "from" (`URL from
 * owner/repo path/to/file`) or 出典. The rule is deliberately simple: it cannot judge the evidence,
 * only refuse a note that gives none.
 */
export const provenancePattern = /\bfrom\b|出典/i;

const prefectureMinistryRe = /^pref-(\d{2})$/;

/** The JIS code of a prefecture source (ministry `pref-NN`), else undefined. */
function prefectureCodeOf(source: Source): string | undefined {
  return prefectureMinistryRe.exec(source.ministry ?? '')?.[1];
}

/** Which prefectures the enabled sources of a registry cover, and with what. */
export interface PrefectureCoverage {
  /** JIS codes with at least one enabled source whose ministry is `pref-NN`, in JIS order. */
  readonly covered: readonly string[];
  /** JIS codes with none, in JIS order. */
  readonly missing: readonly string[];
  /** Enabled prefecture feeds (not support-program pages). */
  readonly feeds: number;
  /** Enabled prefecture list pages (html-list, not support-program pages). */
  readonly listPages: number;
  /** Enabled prefecture sources whose items are calls by default (補助金・公募・支援施策 pages). */
  readonly supportPages: number;
}

/** Counts the enabled prefecture sources (ministry `pref-NN`) and the prefectures they cover. */
export function prefectureCoverage(sources: readonly Source[]): PrefectureCoverage {
  const covered = new Set<string>();
  let feeds = 0;
  let listPages = 0;
  let supportPages = 0;
  for (const source of sources) {
    const code = prefectureCodeOf(source);
    if (!code || !source.enabled) continue;
    covered.add(code);
    if (source.defaultKind === 'call') supportPages += 1;
    else if (source.kind === 'feed') feeds += 1;
    else if (source.kind === 'html-list') listPages += 1;
  }
  const codes = prefectures.map((p) => p.code);
  return {
    covered: codes.filter((c) => covered.has(c)),
    missing: codes.filter((c) => !covered.has(c)),
    feeds,
    listPages,
    supportPages,
  };
}

/**
 * What is wrong with the prefecture sources (ministry `pref-NN`) of a registry, one message per
 * problem, each naming the source: a source must list its own prefecture in `prefectures`, and its
 * `note` must say where its URL came from (`provenancePattern`). Sources of the sample registry
 * (`verified: sample`) are our own fixture sites and need no such note.
 */
export function prefectureSourceProblems(sources: readonly Source[]): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    const code = prefectureCodeOf(source);
    if (!code) continue;
    const who = `source "${source.id}" (ministry ${source.ministry ?? ''})`;
    if (!source.prefectures.includes(code)) {
      problems.push(`${who} has prefectures [${source.prefectures.join(', ')}], expected it to include '${code}'`);
    }
    if (source.verified === 'sample') continue;
    if (!source.note?.trim()) {
      problems.push(`${who} has no note, expected one saying where its URL came from ("from ..." or 出典)`);
    } else if (!provenancePattern.test(source.note)) {
      problems.push(`${who} has a note that does not say where its URL came from, expected "from ..." or 出典`);
    }
  }
  return problems;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The coverage line: `prefectures: 47 of 47 covered (40 feeds, 7 list pages, 1 support-program page)`. */
export function coverageLine(coverage: PrefectureCoverage): string {
  const counts = [
    plural(coverage.feeds, 'feed'),
    plural(coverage.listPages, 'list page'),
    plural(coverage.supportPages, 'support-program page'),
  ].join(', ');
  const line = `prefectures: ${coverage.covered.length} of ${prefectures.length} covered (${counts})`;
  return coverage.missing.length > 0 ? `${line}; missing ${coverage.missing.join(', ')}` : line;
}

export async function run(args: string[]): Promise<number> {
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--registry' && args[i + 1]) names.push(args[++i] as string);
    else if (arg.startsWith('--registry=')) names.push(arg.slice('--registry='.length));
    else {
      console.error(`chiiki sources check: unknown option "${arg}"\n${usage}`);
      return 2;
    }
  }
  let bad = 0;
  for (const name of names.length > 0 ? names : builtInRegistries) {
    try {
      // The sample server's port does not matter for validation.
      const registry = loadRegistry(name, { sampleHost: 'localhost:4010' });
      const enabled = registry.sources.filter((s) => s.enabled);
      const verified = registry.sources.filter((s) => s.verified === 'saved-page').length;
      const unverified = enabled.filter((s) => s.verified === 'unverified').length;
      const problems = prefectureSourceProblems(registry.sources);
      for (const problem of problems) console.error(`${name}: invalid: ${problem}`);
      if (problems.length > 0) bad += 1;
      console.log(
        `${name}: ${registry.sources.length} sources ${problems.length > 0 ? 'read' : 'valid'} (${enabled.length} enabled, ${verified} checked against saved pages)`,
      );
      console.log(`  ${coverageLine(prefectureCoverage(registry.sources))}`);
      console.log(`  unverified enabled: ${unverified} (they run behind the quality gate)`);
    } catch (error) {
      bad += 1;
      console.error(`${name}: invalid: ${error instanceof AppError ? error.message : String(error)}`);
    }
  }
  return bad > 0 ? 2 : 0;
}
