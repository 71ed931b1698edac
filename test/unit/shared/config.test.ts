import { describe, expect, it } from 'vitest';
import { loadConfig, publicBaseUrlOf } from '../../../shared/config.js';
import { ConfigError } from '../../../shared/errors.js';

describe('publicBaseUrlOf', () => {
  it('uses PUBLIC_BASE_URL without its trailing slash', () => {
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://api.example.jp/', AWS_LAMBDA_FUNCTION_NAME: 'api' });

    expect(publicBaseUrlOf(config)).toBe('https://api.example.jp');
  });

  it('defaults to http://localhost:PORT outside Lambda', () => {
    expect(publicBaseUrlOf(loadConfig({ PORT: '3100' }))).toBe('http://localhost:3100');
  });

  it('fails in Lambda without PUBLIC_BASE_URL, naming the variable', () => {
    const config = loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'chiiki-api' });

    expect(() => publicBaseUrlOf(config)).toThrow(ConfigError);
    expect(() => publicBaseUrlOf(config)).toThrow(/PUBLIC_BASE_URL is required in Lambda/);
  });
});
