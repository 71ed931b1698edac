import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { domainPresets, resolveStageConfig } from '../../../../infra/aws/config.js';
import { FixedClock } from '../../../../shared/clock.js';
import { loadConfig } from '../../../../shared/config.js';
import { searchIndexFor } from '../../../../shared/wiring/search-index.js';
import { synthPortal } from '../../../support/synth-portal.js';

const fromContext = (context: Record<string, unknown>) => (key: string) => context[key];

/** OPENSEARCH_REPLICAS of every function that talks to the search domain. */
function replicasEnv(template: Template): string[] {
  return Object.values(template.findResources('AWS::Lambda::Function')).flatMap((f) => {
    const env = (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment
      ?.Variables;
    return env?.['OPENSEARCH_ENDPOINT'] ? [env['OPENSEARCH_REPLICAS'] ?? 'unset'] : [];
  });
}

describe('search replicas per stage', () => {
  it('are 0 on the one-node dev domain and 1 on the three-node prod domain', () => {
    expect(resolveStageConfig(fromContext({})).searchReplicas).toBe(0);
    expect(resolveStageConfig(fromContext({ stage: 'prod' })).searchReplicas).toBe(1);
    expect(resolveStageConfig(fromContext({ domainSize: { ...domainPresets.dev, dataNodes: 2 } })).searchReplicas).toBe(
      1,
    );
  });

  it('may be raised up to one fewer than the data nodes, and no further', () => {
    expect(resolveStageConfig(fromContext({ stage: 'prod', searchReplicas: '2' })).searchReplicas).toBe(2);
    expect(() => resolveStageConfig(fromContext({ stage: 'prod', searchReplicas: 3 }))).toThrow(
      /searchReplicas: 3 replicas need 4 data nodes, the domain has 3/,
    );
    expect(() => resolveStageConfig(fromContext({ searchReplicas: 1 }))).toThrow(/need 2 data nodes, the domain has 1/);
  });

  it('reach every search function as OPENSEARCH_REPLICAS', () => {
    const dev = Template.fromStack(synthPortal().service);
    const prod = Template.fromStack(synthPortal({ stage: 'prod' }).service);

    expect(replicasEnv(dev)).toEqual(['0', '0', '0', '0']);
    expect(replicasEnv(prod)).toEqual(['1', '1', '1', '1']);
  }, 120_000);

  it('go into the index template the functions install, so every new index (first run, reindex) has them', async () => {
    const requests: { method: string; url: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : '{"acknowledged":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    try {
      const index = searchIndexFor(
        loadConfig({
          SEARCH_ENGINE: 'opensearch',
          OPENSEARCH_ENDPOINT: `http://127.0.0.1:${port}`,
          OPENSEARCH_REPLICAS: '2',
        }),
        new FixedClock('2026-12-01T09:00:00+09:00'),
      );
      await index.ensureIndex();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    const template = requests.find((r) => r.method === 'PUT' && r.url.startsWith('/_index_template/'));
    expect(JSON.parse(template?.body ?? '{}')).toMatchObject({
      index_patterns: ['chiiki-items-v*'],
      template: { settings: { index: { number_of_replicas: 2 } } },
    });
  });
});
