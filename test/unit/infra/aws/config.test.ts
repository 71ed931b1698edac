import { describe, expect, it } from 'vitest';
import { domainPresets, resolveStageConfig, senderAddress } from '../../../../infra/aws/config.js';

const fromContext = (context: Record<string, unknown>) => (key: string) => context[key];

describe('resolveStageConfig', () => {
  it('builds a working dev stage when nothing is set', () => {
    const config = resolveStageConfig(fromContext({}));

    expect(config.stage).toBe('dev');
    expect(config.domainSize).toEqual(domainPresets.dev);
    expect(config.retainData).toBe(false);
    expect(config.sourceRegistry).toBe('live');
    expect(config.corsOrigins).toEqual(['*']);
    expect(config.alarmEmail).toBeUndefined();
  });

  it('gives any other stage the production domain and keeps its data', () => {
    const config = resolveStageConfig(fromContext({ stage: 'prod' }));

    expect(config.domainSize).toEqual(domainPresets.prod);
    expect(config.domainSize.masterNodes).toBe(3);
    expect(config.domainSize.availabilityZones).toBe(3);
    expect(config.retainData).toBe(true);
    expect(config.logRetentionDays).toBe(90);
  });

  it('reads -c strings: comma-separated origins, numbers, JSON objects', () => {
    const config = resolveStageConfig(
      fromContext({
        stage: 'prod',
        corsOrigins: 'https://portal.example.jp, https://www.example.jp',
        crawlConcurrency: '4',
        apiDomain: '{"domainName":"api.example.jp","certificateArn":"arn:aws:acm:ap-northeast-1:1:certificate/x"}',
        domainSize: 'dev',
      }),
    );

    expect(config.corsOrigins).toEqual(['https://portal.example.jp', 'https://www.example.jp']);
    expect(config.crawlConcurrency).toBe(4);
    expect(config.apiDomain?.domainName).toBe('api.example.jp');
    expect(config.domainSize).toEqual(domainPresets.dev);
  });

  it('takes the KAKEN application id secret as a complete Secrets Manager ARN only', () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:chiiki/prod/kaken-app-id-AbC123';

    expect(resolveStageConfig(fromContext({ kakenAppIdSecretArn: arn })).kakenAppIdSecretArn).toBe(arn);
    expect(resolveStageConfig(fromContext({})).kakenAppIdSecretArn).toBeUndefined();
    expect(() => resolveStageConfig(fromContext({ kakenAppIdSecretArn: 'my-kaken-app-id' }))).toThrow(
      /kakenAppIdSecretArn: expected the complete ARN of a Secrets Manager secret/,
    );
  });

  it('merges a config file under the context values', () => {
    const file = JSON.stringify({ stage: 'stg', alarmEmail: 'ops@example.jp', crawlConcurrency: 3 });

    const config = resolveStageConfig(fromContext({ configFile: 'stg.json', crawlConcurrency: 5 }), () => file);

    expect(config.stage).toBe('stg');
    expect(config.alarmEmail).toBe('ops@example.jp');
    expect(config.crawlConcurrency).toBe(5);
  });

  it('names every invalid setting at once', () => {
    const attempt = () =>
      resolveStageConfig(
        fromContext({
          alarmEmail: 'not-an-address',
          corsOrigins: 'https://ok.example.jp/with/path',
          crawlConcurrency: 1,
        }),
      );

    expect(attempt).toThrow(/alarmEmail/);
    expect(attempt).toThrow(/corsOrigins\.0/);
    expect(attempt).toThrow(/crawlConcurrency/);
  });

  it('rejects an explicit domain size with an impossible master count', () => {
    const size = {
      dataNodes: 2,
      dataNodeInstanceType: 'r7g.large.search',
      masterNodes: 2,
      availabilityZones: 2,
      volumeSizeGb: 50,
    };

    expect(() => resolveStageConfig(fromContext({ domainSize: size }))).toThrow(/domainSize/);
  });
});

describe('senderAddress', () => {
  it.each([
    ['地域科学技術ポータル <alerts@example.jp>', 'alerts@example.jp'],
    ['alerts@example.jp', 'alerts@example.jp'],
  ])('reads %s as %s', (from, address) => {
    expect(senderAddress(from)).toBe(address);
  });
});
