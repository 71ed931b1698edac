import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../../bin/chiiki.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sources-check-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `chiiki` bin the way an operator does. */
function chiiki(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('chiiki sources check', () => {
  it('rejects a definition with an invalid CSS selector, naming the field', async () => {
    const file = join(dir, 'bad-selector.yaml');
    writeFileSync(
      file,
      [
        'registry: x',
        'sources:',
        '  - id: pref-news',
        '    name: 県のお知らせ',
        '    publisher: 県',
        '    kind: html-list',
        '    url: https://www.pref.example.jp/news/',
        '    list:',
        '      item: ul.news > li',
        "      title: 'a['",
        '',
      ].join('\n'),
    );

    const result = await chiiki('sources', 'check', '--registry', file);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.0.list.title: selector "a[" is not valid CSS (');
  });
});
