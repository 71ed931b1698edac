import type { Clock } from '../../shared/clock.js';
import type { SourceHealth } from '../../shared/domain/crawl-run.js';
import type { Source } from '../../shared/domain/source.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { suggestCommand } from '../../shared/sources/source-health.js';
import type { SourcesResponse, SourceView } from './schemas.js';

/** Whether a source needs an operator's look; the crawler owns the rule (shared/sources/source-health.ts). */
export type SourceFlags = (
  source: Source,
  health: SourceHealth | undefined,
  now: Date,
) => { readonly stale: boolean; readonly failing: boolean };

export interface ListSourcesDeps {
  readonly store: Pick<ItemStore, 'listSourceHealth'>;
  readonly clock: Clock;
  /** The registry the crawler runs. */
  readonly sources: () => readonly Source[];
  readonly flags: SourceFlags;
}

/** GET /v1/sources: every registered source with its crawl health, in registry order. */
export async function listSources(deps: ListSourcesDeps): Promise<SourcesResponse> {
  const healthById = new Map((await deps.store.listSourceHealth()).map((h) => [h.sourceId, h]));
  const now = deps.clock.now();
  return {
    sources: deps
      .sources()
      .map((source) =>
        toSourceView(source, healthById.get(source.id), deps.flags(source, healthById.get(source.id), now)),
      ),
  };
}

function toSourceView(
  source: Source,
  health: SourceHealth | undefined,
  flags: { stale: boolean; failing: boolean },
): SourceView {
  const suspect = health?.lastQuality?.passed === false;
  const verification = source.verified !== 'unverified' ? source.verified : health?.verifiedAt ? 'runs' : 'unverified';
  const view: SourceView = {
    id: source.id,
    name: source.name,
    publisher: source.publisher,
    ministry: source.ministry,
    kind: source.kind,
    url: source.url,
    schedule: source.schedule,
    enabled: source.enabled,
    verification,
    fixCommand:
      (verification === 'unverified' || suspect) && source.kind !== 'json' ? suggestCommand(source.url) : undefined,
    health: {
      lastRunAt: health?.lastRunAt,
      lastSuccessAt: health?.lastSuccessAt,
      lastOutcome: health?.lastOutcome,
      consecutiveFailures: health?.consecutiveFailures ?? 0,
      consecutiveSuspect: health?.consecutiveSuspect ?? 0,
      lastCounts: health?.lastCounts,
      lastError: health?.lastError,
      lastQuality: health?.lastQuality,
      verifiedAt: health?.verifiedAt,
      newestItemAt: health?.newestItemAt,
      itemCount: health?.itemCount ?? 0,
      stale: flags.stale,
      failing: flags.failing,
      suspect,
      neverRun: health === undefined,
    },
  };
  if (view.ministry === undefined) delete view.ministry;
  if (view.fixCommand === undefined) delete view.fixCommand;
  for (const key of Object.keys(view.health) as (keyof SourceView['health'])[])
    if (view.health[key] === undefined) delete view.health[key];
  return view;
}
