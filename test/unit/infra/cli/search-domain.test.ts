import { readFileSync } from 'node:fs';
import {
  DescribeDomainCommand,
  OpenSearchClient,
  ResourceNotFoundException,
  type DomainStatus,
} from '@aws-sdk/client-opensearch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDomainSummary, run, summariseDomain } from '../../../../infra/cli/commands/search-domain.js';

/** DescribeDomain's answer for a two-node domain (account and endpoint id sanitised). */
const recorded = JSON.parse(
  readFileSync(new URL('../../../fixtures/aws/opensearch-describe-domain.json', import.meta.url), 'utf8'),
) as { DomainStatus: DomainStatus };
const status = recorded.DomainStatus;

describe('summariseDomain', () => {
  it('reads an active domain as ready, with its engine, endpoint and nodes', () => {
    const summary = summariseDomain(status, 'OpenSearch_2.19');

    expect(summary).toEqual({
      name: 'chiiki-prod',
      engineVersion: 'OpenSearch_2.19',
      state: 'Active',
      processing: false,
      endpoint: 'https://search-chiiki-prod-abcdefghijklmnopqrstuvwxyz.ap-northeast-1.es.amazonaws.com',
      dataNodes: '2 × t3.small.search',
      problems: [],
    });
  });

  it.each([
    [{ Created: false, Endpoint: undefined }, ['the domain is still being created', 'the domain has no endpoint yet']],
    [{ Deleted: true }, ['the domain is being deleted']],
    [{ EngineVersion: 'OpenSearch_2.17' }, ['engine version is OpenSearch_2.17, expected OpenSearch_2.19']],
  ])('names why a domain cannot serve: %j', (change, problems) => {
    expect(summariseDomain({ ...status, ...change }, 'OpenSearch_2.19').problems).toEqual(problems);
  });

  it('takes the VPC endpoint when there is no public one, and reports an upgrade in progress', () => {
    const summary = summariseDomain({
      ...status,
      Endpoint: undefined,
      Endpoints: { vpc: 'vpc-chiiki-prod-xyz.ap-northeast-1.es.amazonaws.com' },
      UpgradeProcessing: true,
      DomainProcessingStatus: 'UpgradingEngineVersion',
    });

    expect(summary.endpoint).toBe('https://vpc-chiiki-prod-xyz.ap-northeast-1.es.amazonaws.com');
    expect(formatDomainSummary(summary)).toContain('state: UpgradingEngineVersion (a change is in progress)');
    expect(summary.problems).toEqual([]);
  });
});

describe('chiiki search-domain', () => {
  const sdk = mockClient(OpenSearchClient);
  let out: string[];
  let err: string[];
  beforeEach(() => {
    sdk.reset();
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  });
  afterEach(() => vi.restoreAllMocks());

  it("describes a stage's domain and exits 0 when it can serve", async () => {
    sdk.on(DescribeDomainCommand, { DomainName: 'chiiki-prod' }).resolves(recorded);

    const code = await run(['--stage', 'prod', '--region', 'ap-northeast-1', '--expect-version', 'OpenSearch_2.19']);

    expect(code).toBe(0);
    expect(out.join('\n')).toBe(
      [
        'domain: chiiki-prod',
        'engine: OpenSearch_2.19',
        'state: Active',
        'endpoint: https://search-chiiki-prod-abcdefghijklmnopqrstuvwxyz.ap-northeast-1.es.amazonaws.com',
        'data nodes: 2 × t3.small.search',
        'ready: yes',
      ].join('\n'),
    );
    expect(sdk.commandCalls(DescribeDomainCommand)).toHaveLength(1);
  });

  it('exits 1 and says why when the domain runs another engine version', async () => {
    sdk.on(DescribeDomainCommand).resolves(recorded);

    const code = await run(['--name', 'chiiki-prod', '--expect-version', 'OpenSearch_3.1']);

    expect(code).toBe(1);
    expect(out.join('\n')).toContain('ready: no (engine version is OpenSearch_2.19, expected OpenSearch_3.1)');
  });

  it('exits 1 with a plain message when there is no such domain', async () => {
    sdk
      .on(DescribeDomainCommand)
      .rejects(new ResourceNotFoundException({ message: 'Domain not found: chiiki-dev', $metadata: {} }));

    const code = await run(['--stage', 'dev', '--region', 'ap-northeast-1']);

    expect(code).toBe(1);
    expect(err).toEqual(['chiiki search-domain: no domain named "chiiki-dev" in ap-northeast-1']);
  });

  it('rejects missing or doubled names and unknown options with exit code 2, without calling AWS', async () => {
    const codes = [
      await run([]),
      await run(['--name', 'a', '--stage', 'b']),
      await run(['--name']),
      await run(['--name', 'a', '--verbose']),
    ];

    expect(codes).toEqual([2, 2, 2, 2]);
    expect(err[0]).toContain('give one of --name and --stage');
    expect(err[2]).toContain('--name needs a value');
    expect(err[3]).toContain('unknown option "--verbose"');
    expect(sdk.calls()).toHaveLength(0);
  });
});
