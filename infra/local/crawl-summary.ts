import type { DigestRunReport } from '../../functions/alerts/digest.js';
import type { CrawlSummary } from './local-stack.js';

/**
 * What `npm start` prints after each crawl: one line of totals with the index state, one row per
 * source, and the alert digests' line, which names subscribers held behind a digest another run
 * claimed (they get it once the claim's lease ends).
 */
export function formatCrawlSummary(summary: CrawlSummary): string {
  const rows = summary.runs.map(
    (run) =>
      `  ${run.sourceId.padEnd(28)} ${run.outcome.padEnd(9)} new ${String(run.counts.new).padStart(4)}  updated ${String(run.counts.updated).padStart(3)}  unchanged ${String(run.counts.unchanged).padStart(4)}  failed ${run.counts.failed}${run.errors[0] ? `  (${run.errors[0].message.slice(0, 60)})` : ''}`,
  );
  const t = summary.totals;
  return [
    `crawl finished in ${(summary.durationMs / 1000).toFixed(1)} s: ${summary.runs.length} sources, ${t.new} new, ${t.updated} updated, ${t.unchanged} unchanged, ${t.failed} failed URLs; ${indexState(summary)}`,
    ...rows,
    ...(summary.digest
      ? [
          `alert digests: ${summary.digest.sent} sent, ${summary.digest.due} due, ${summary.digest.subscriptions} subscriptions` +
            heldClause(summary.digest),
        ]
      : []),
    '',
  ].join('\n');
}

function indexState(summary: CrawlSummary): string {
  if (summary.indexed !== undefined) return `${summary.indexed} items searchable`;
  const { pending, oldestAgeSec } = summary.indexLag;
  return `the search index is behind: ${pending} changes wait (oldest ${oldestAgeSec} s) and are applied once the engine answers`;
}

function heldClause(digest: DigestRunReport): string {
  if (digest.heldByIntent === 0) return '';
  const first = digest.held.map((h) => h.resendAfter).sort()[0];
  const when = first ? `resent from ${first}` : 'resent after the claim lease';
  return `; ${digest.heldByIntent} held behind a digest claimed by another run (${when})`;
}
