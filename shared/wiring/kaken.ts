import type { Config } from '../config.js';

/**
 * The KAKEN application id from config: Secrets Manager (SecretString) when
 * KAKEN_APP_ID_SECRET_ARN is set (AWS), else KAKEN_APP_ID, else `undefined` (KAKEN sources then
 * fail with a message saying so). The SDK is imported only when the secret is read, and only a
 * crawl of a KAKEN source reads it.
 * shared/wiring is for wiring.ts, handler.ts and infra/ only (test/unit/architecture.test.ts enforces it).
 */
export async function loadKakenAppId(settings: Config): Promise<string | undefined> {
  if (!settings.KAKEN_APP_ID_SECRET_ARN) return settings.KAKEN_APP_ID;
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({ region: settings.AWS_REGION }).send(
    new GetSecretValueCommand({ SecretId: settings.KAKEN_APP_ID_SECRET_ARN }),
  );
  return out.SecretString?.trim() || undefined;
}
