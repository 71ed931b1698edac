import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable } from '../../scripts/config-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('gives the two commands on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 40).join('\n');

    expect(firstScreen).toContain('npm ci && npm start');
    expect(firstScreen).toContain('npm test');
    expect(firstScreen).toContain('npm run test:integration');
  });

  it('carries the configuration table generated from shared/config.ts', () => {
    expect(readme).toContain(configTable());
  });
});
