import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/config.js';
import { loadKakenAppId } from '../../../../shared/wiring/kaken.js';

const config = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/chiiki-kaken-test', ...env });

describe('KAKEN application id wiring', () => {
  it('reads KAKEN_APP_ID locally and has none when it is unset', async () => {
    expect(await loadKakenAppId(config({ KAKEN_APP_ID: 'local-id' }))).toBe('local-id');
    expect(await loadKakenAppId(config({}))).toBeUndefined();
    expect(await loadKakenAppId(config({ KAKEN_APP_ID: '' }))).toBeUndefined();
  });

  it('reads the secret named by KAKEN_APP_ID_SECRET_ARN in AWS, over KAKEN_APP_ID', async () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:chiiki-kaken-AbCdEf';
    const mock = mockClient(SecretsManagerClient);
    mock
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolvesOnce({ SecretString: ' from-the-secret \n' })
      .resolvesOnce({ SecretString: '' });
    const settings = config({ KAKEN_APP_ID_SECRET_ARN: arn, KAKEN_APP_ID: 'ignored' });

    expect(await loadKakenAppId(settings)).toBe('from-the-secret');
    expect(await loadKakenAppId(settings)).toBeUndefined();
    mock.restore();
  });
});
