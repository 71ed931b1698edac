/**
 * `chiiki source suggest --input SAVED_PAGE --url URL [--ref-date YYYY-MM-DD]` or
 * `chiiki source suggest --fetch URL [--ref-date YYYY-MM-DD]`: proposes one source definition for a
 * page and prints it on stdout in the registry's YAML form, ready for `chiiki source try --config
 * FILE` as it is. A feed becomes `kind: feed`; a list page an inferred `html-list`. YAML comments
 * around it say what the operator should check: a feed the page advertises, the runner-up
 * candidate lists with their scores, and what the definition gives when run through `source try`
 * (items, how many dated, the first three). `--fetch` reads the page once through the crawler's
 * polite fetcher (robots.txt, pacing, our User-Agent). Exit 2 on bad arguments, 1 when the page
 * cannot be read.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { politeFetcherFactory } from '../../../functions/crawl/fetch/fetcher-factory.js';
import { type Suggestion, suggestSource } from '../../../functions/crawl/suggest/suggest-source.js';
import { loadConfig } from '../../../shared/config.js';
import { SourceSchema, type Source } from '../../../shared/domain/source.js';
import { PermanentFetchError } from '../../../shared/errors.js';
import { formatIsoDate, referenceDay } from '../../../shared/ja/calendar.js';
import { parseSourceDefinition } from '../../../shared/sources/registry.js';
import { trySource, type TryResult } from './source-try.js';
import { badInput } from '../usage.js';

export const usage =
  'usage: chiiki source suggest (--input SAVED_PAGE --url URL | --fetch URL) [--ref-date YYYY-MM-DD]';

const fail = (message: string): number => badInput('source suggest', usage, message);

/** How many tried items are shown. */
const shownItems = 3;

/**
 * The suggestion as the operator reads it: the definition in YAML, with the notes and the
 * result of trying it as YAML comments (so the text is still a valid definition file).
 */
export function renderSuggestion(suggestion: Suggestion, tried: TryResult | undefined, refDate: string): string {
  const lines: string[] = [];
  const comment = (text: string) => lines.push(`# ${text}`.trimEnd());
  comment(`suggested by chiiki source suggest from ${suggestion.source.url} (${suggestion.format})`);
  for (const feed of suggestion.advertisedFeeds)
    comment(
      `the page advertises a feed: ${feed.url}${feed.title ? ` (${feed.title})` : ''}; a feed is the steadier source`,
    );
  if (suggestion.chosen)
    comment(
      `chosen list: ${suggestion.chosen.item} (score ${suggestion.chosen.score}, ${suggestion.chosen.entries} entries, ${suggestion.chosen.dated} dated)`,
    );
  if (suggestion.runnersUp.length > 0) {
    comment('runners-up:');
    for (const c of suggestion.runnersUp)
      comment(`  ${c.item} (score ${c.score}, ${c.entries} entries, ${c.dated} dated), e.g. "${c.example}"`);
  }
  for (const warning of suggestion.warnings) comment(`check: ${warning}`);
  lines.push(stringify([suggestion.source], { lineWidth: 0 }).trimEnd().replace(/^- /, '').replace(/^ {2}/gm, ''));
  if (tried) {
    const dated = tried.items.filter((i) => i.publishedAt).length;
    comment(
      `source try (ref date ${refDate}): ${tried.items.length} items, ${dated} dated, ${tried.invalid.length} invalid, charset ${tried.charset}`,
    );
    tried.items.slice(0, shownItems).forEach((item, i) => {
      comment(`  ${i + 1}. ${item.publishedAt ?? '(no date)'} ${item.title} | ${item.url}`);
    });
    for (const line of reportLines((tried as unknown as { report?: unknown }).report)) comment(line);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A quality report on the tried result, when `trySource` gives one: the gate's verdict and its
 * problems, or the report as YAML when it has another shape.
 */
export function reportLines(report: unknown): string[] {
  if (report === undefined || report === null) return [];
  if (typeof report === 'object' && 'passed' in report && typeof report.passed === 'boolean') {
    const problems = 'problems' in report && Array.isArray(report.problems) ? (report.problems as unknown[]) : [];
    return [
      `quality gate: ${report.passed ? 'passed' : 'FAILED'}`,
      ...problems.map(
        (p) =>
          `  ${p && typeof p === 'object' && 'message' in p && typeof p.message === 'string' ? p.message : JSON.stringify(p)}`,
      ),
    ];
  }
  return stringify({ report }, { lineWidth: 0 }).trimEnd().split('\n');
}

/** The command's options. */
export interface SuggestArgs {
  input?: string;
  url?: string;
  fetch?: string;
  'ref-date'?: string;
}

/** Reads the command line; a string is what is wrong with it. */
export function parseSuggestArgs(args: string[]): SuggestArgs | string {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--input', '--url', '--fetch', '--ref-date'].includes(key)) return `unknown option "${arg}"`;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return `${key} needs a value`;
    opts[key.slice(2)] = value;
  }
  if (opts['fetch'] && (opts['input'] || opts['url']))
    return '--fetch reads the page itself: give it without --input and --url';
  if (!opts['fetch'] && !opts['input']) return 'missing --input SAVED_PAGE (with --url URL) or --fetch URL';
  if (opts['input'] && !opts['url']) return 'missing --url URL: the address the page was saved from';
  const url = opts['fetch'] ?? opts['url'] ?? '';
  if (!/^https?:\/\/[^/\s]+/.test(url) || !URL.canParse(url)) return `"${url}" is not an absolute http(s) URL`;
  return opts;
}

/** Fetches the page once, politely: robots.txt, the host's pace and the crawler's User-Agent. */
async function fetchPage(url: string): Promise<{ body: Uint8Array; finalUrl: string; contentType?: string }> {
  const config = loadConfig();
  const probe: Source = SourceSchema.parse({ id: 'suggest', name: url, publisher: url, kind: 'feed', url });
  const factory = politeFetcherFactory({ userAgent: config.CRAWL_USER_AGENT });
  try {
    const result = await factory.fetcherFor(probe).fetch({ url });
    if (result.status !== 'ok')
      throw new PermanentFetchError(`${url} answered 304 to an unconditional request`, url, 304);
    return {
      body: result.body,
      finalUrl: result.finalUrl,
      ...(result.contentType ? { contentType: result.contentType } : {}),
    };
  } finally {
    await factory.close();
  }
}

export async function run(args: string[]): Promise<number> {
  const opts = parseSuggestArgs(args);
  if (typeof opts === 'string') return fail(opts);
  let refDate: string;
  try {
    refDate = formatIsoDate(referenceDay(opts['ref-date'] ?? new Date()));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }

  let page: { body: Uint8Array; url: string; contentType?: string };
  try {
    if (opts.fetch) {
      const fetched = await fetchPage(opts.fetch);
      page = {
        body: fetched.body,
        url: fetched.finalUrl,
        ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
      };
    } else {
      page = { body: readFileSync(opts.input ?? ''), url: opts.url ?? '' };
    }
  } catch (error) {
    console.error(
      `chiiki source suggest: cannot read ${opts.fetch ?? opts.input ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }

  let suggestion: Suggestion;
  let tried: TryResult | undefined;
  try {
    suggestion = suggestSource(page.body, page.url, page.contentType ? { contentType: page.contentType } : {});
    // What is printed is what `source try --config` will read: validate the printed text itself.
    const source = parseSourceDefinition(renderSuggestion(suggestion, undefined, refDate));
    try {
      tried = trySource(source, page.body, { url: page.url, refDate });
    } catch (error) {
      suggestion = {
        ...suggestion,
        warnings: [
          ...suggestion.warnings,
          `source try fails: ${error instanceof Error ? error.message : String(error)}`,
        ],
      };
    }
  } catch (error) {
    console.error(
      `chiiki source suggest: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return 1;
  }
  process.stdout.write(renderSuggestion(suggestion, tried, refDate));
  return 0;
}
