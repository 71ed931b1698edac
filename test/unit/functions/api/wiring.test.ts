import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

describe('the API wiring', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-wiring-'));

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails the cold start in Lambda without PUBLIC_BASE_URL', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'chiiki-api');
    vi.stubEnv('PUBLIC_BASE_URL', '');
    vi.stubEnv('DATA_DIR', dataDir);

    await expect(import('../../../../functions/api/wiring.js')).rejects.toThrow(
      /PUBLIC_BASE_URL is required in Lambda/,
    );
  });

  it('takes PUBLIC_BASE_URL in Lambda as the base of the links', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'chiiki-api');
    vi.stubEnv('PUBLIC_BASE_URL', 'https://api.example.jp/');
    vi.stubEnv('MAIL_TRANSPORT', 'ses');
    vi.stubEnv('DATA_DIR', dataDir);

    const { deps } = await import('../../../../functions/api/wiring.js');

    expect(deps.publicBaseUrl).toBe('https://api.example.jp');
  });
});
