/**
 * `chiiki search-domain (--name DOMAIN | --stage STAGE) [--region REGION] [--expect-version VERSION]`:
 * the Amazon OpenSearch Service domain as AWS reports it (DescribeDomain): engine version, state,
 * endpoint and nodes. A deploy check: exits 0 when the domain can serve (created, not being deleted,
 * with an endpoint, and at `--expect-version` when given), 1 when it cannot or does not exist, 2 on
 * bad input. A stage's domain is `chiiki-<stage>` (the Search stack names it so).
 */
import {
  DescribeDomainCommand,
  OpenSearchClient,
  ResourceNotFoundException,
  type DomainStatus,
} from '@aws-sdk/client-opensearch';
import { loadConfig } from '../../../shared/config.js';
import { badInput } from '../usage.js';

export const usage =
  'usage: chiiki search-domain (--name DOMAIN | --stage STAGE) [--region REGION] [--expect-version VERSION]';

const fail = (message: string): number => badInput('search-domain', usage, message);

/** What an operator asks of a domain before and after a deploy. */
export interface DomainSummary {
  readonly name: string;
  /** As AWS names it: `OpenSearch_2.19`, `Elasticsearch_7.10`. */
  readonly engineVersion: string;
  /** `Active`, `Creating`, `Modifying`, `UpgradingEngineVersion`, … (DomainProcessingStatus). */
  readonly state: string;
  /** A configuration change or an upgrade is under way (the domain keeps serving). */
  readonly processing: boolean;
  readonly endpoint?: string;
  readonly dataNodes: string;
  /** Why the domain cannot serve; empty when it can. */
  readonly problems: readonly string[];
}

/** Reads AWS's description of a domain into a summary; `expectVersion` adds a problem when it differs. */
export function summariseDomain(status: DomainStatus, expectVersion?: string): DomainSummary {
  const endpoint = status.Endpoint ?? status.Endpoints?.['vpc'];
  const engineVersion = status.EngineVersion ?? 'unknown';
  const processing = status.Processing === true || status.UpgradeProcessing === true;
  const cluster = status.ClusterConfig;
  const problems = [
    ...(status.Created === false ? ['the domain is still being created'] : []),
    ...(status.Deleted === true ? ['the domain is being deleted'] : []),
    ...(endpoint === undefined ? ['the domain has no endpoint yet'] : []),
    ...(expectVersion !== undefined && engineVersion !== expectVersion
      ? [`engine version is ${engineVersion}, expected ${expectVersion}`]
      : []),
  ];
  return {
    name: status.DomainName ?? 'unknown',
    engineVersion,
    state: status.DomainProcessingStatus ?? (processing ? 'Processing' : 'Active'),
    processing,
    ...(endpoint !== undefined ? { endpoint: `https://${endpoint}` } : {}),
    dataNodes: `${cluster?.InstanceCount ?? '?'} × ${cluster?.InstanceType ?? '?'}`,
    problems,
  };
}

/** The summary as the command prints it, one `key: value` line each. */
export function formatDomainSummary(summary: DomainSummary): string {
  return [
    `domain: ${summary.name}`,
    `engine: ${summary.engineVersion}`,
    `state: ${summary.state}${summary.processing ? ' (a change is in progress)' : ''}`,
    `endpoint: ${summary.endpoint ?? '-'}`,
    `data nodes: ${summary.dataNodes}`,
    `ready: ${summary.problems.length === 0 ? 'yes' : `no (${summary.problems.join('; ')})`}`,
  ].join('\n');
}

function notFound(name: string, region: string): number {
  console.error(`chiiki search-domain: no domain named "${name}" in ${region}`);
  return 1;
}

export async function run(args: string[]): Promise<number> {
  const options: { name?: string; stage?: string; region?: string; expectVersion?: string } = {};
  const keys: Record<string, keyof typeof options> = {
    '--name': 'name',
    '--stage': 'stage',
    '--region': 'region',
    '--expect-version': 'expectVersion',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const key = keys[arg];
    if (key === undefined) return fail(`unknown option "${arg}"`);
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) return fail(`${arg} needs a value`);
    options[key] = value;
  }
  if ((options.name === undefined) === (options.stage === undefined)) return fail('give one of --name and --stage');
  const name = options.name ?? `chiiki-${options.stage}`;
  const region = options.region ?? loadConfig().AWS_REGION;

  const client = new OpenSearchClient({ region });
  try {
    const { DomainStatus: status } = await client.send(new DescribeDomainCommand({ DomainName: name }));
    if (status === undefined) return notFound(name, region);
    const summary = summariseDomain(status, options.expectVersion);
    console.log(formatDomainSummary(summary));
    return summary.problems.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return notFound(name, region);
    throw error;
  } finally {
    client.destroy();
  }
}
