import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, resolveStageConfig } from '../../../../infra/aws/config.js';
import { repoRoot } from '../../../../infra/aws/functions.js';
import type { PortalApp } from '../../../../infra/aws/portal-app.js';
import { synthPortal } from '../../../support/synth-portal.js';

const docs = Object.fromEntries(
  ['deploy.md', 'runbook.md', 'operate.md', 'cost.md'].map((name) => [
    name,
    readFileSync(join(repoRoot, 'docs', name), 'utf8'),
  ]),
);
const all = Object.values(docs).join('\n');

/** The lines of every ```sh block (continuations joined). */
const shellLines = [...all.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  (m[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'),
);

/** Unquotes one shell word as the shell would (single or double quotes around the whole value). */
const unquote = (word: string) => word.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');

describe('operator docs', () => {
  let portal: PortalApp;

  beforeAll(() => {
    portal = synthPortal();
  }, 120_000);

  it('list every context key in the deploy guide table', () => {
    const table = docs['deploy.md'] ?? '';

    for (const key of contextKeys) expect(table, key).toContain(`| \`${key}\` |`);
  });

  it('give cdk commands only settings that synthesis accepts, the config file of the guide included', () => {
    const prodJson = /cat > prod\.json <<'EOF'\n([\s\S]*?)\nEOF/.exec(docs['deploy.md'] ?? '')?.[1] ?? '';
    const cdkLines = shellLines.filter((line) => line.startsWith('npx cdk '));

    expect(cdkLines.length).toBeGreaterThan(4);
    for (const line of cdkLines) {
      const context: Record<string, string> = {};
      for (const m of line.matchAll(/-c (\w+)=('[^']*'|"[^"]*"|\S+)/g)) context[m[1] ?? ''] = unquote(m[2] ?? '');

      expect(
        () =>
          resolveStageConfig(
            (key) => context[key],
            () => prodJson,
            Object.keys(context),
          ),
        line,
      ).not.toThrow();
    }
  });

  it('read only stack outputs and functions the app has', () => {
    const app = Template.fromStack(portal.service);
    const outputs = Object.keys(app.toJSON()['Outputs'] as Record<string, unknown>);
    const functions = Object.keys(app.findResources('AWS::Lambda::Function'));
    const dataOutputs = Object.keys(Template.fromStack(portal.data).toJSON()['Outputs'] as Record<string, unknown>);

    for (const m of all.matchAll(/\$\(output (\w+)\)/g)) expect(outputs, m[0]).toContain(m[1]);
    for (const m of all.matchAll(/(?:function_named|log_group_of) (\w+)/g))
      expect(
        functions.some((id) => id.startsWith(m[1] ?? '')),
        m[0],
      ).toBe(true);
    for (const m of all.matchAll(/starts_with\(OutputKey, '(\w+)'\)/g))
      expect(
        dataOutputs.filter((id) => id.startsWith(m[1] ?? '')),
        m[0],
      ).toHaveLength(3);
  });

  it('hold shell blocks that bash parses', () => {
    const blocks = [...all.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

    expect(blocks.length).toBeGreaterThan(15);
    for (const block of blocks) expect(() => execFileSync('bash', ['-n'], { input: block }), block).not.toThrow();
  });

  it('end the deploy guide with the heading other parts add their sections under', () => {
    expect((docs['deploy.md'] ?? '').trimEnd().split('\n').includes('## Further topics')).toBe(true);
  });
});
