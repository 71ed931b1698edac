import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../infra/aws/functions.js';
import { createPortalApp } from '../../../../infra/aws/portal-app.js';

/** One acknowledged cdk-nag finding: the rule, the finding in brackets (if any) and the reason. */
interface Acknowledged {
  readonly rule: string;
  readonly finding: string;
  readonly reason: string;
  readonly where: string;
}

/** Every acknowledgement of the synthesized app (portal page included, bundling off). */
function acknowledgedIn(context: Record<string, unknown>): Acknowledged[] {
  const assembly = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).app.synth();
  return assembly.artifacts
    .filter((a): a is CloudFormationStackArtifact => a instanceof CloudFormationStackArtifact)
    .flatMap((stack) =>
      stack.findMetadataByType('aws:cdk:acknowledged-rules').flatMap((entry) =>
        Object.entries(entry.data as unknown as Record<string, string>).map(([id, reason]) => {
          const [, rule = id, finding = ''] = /^(?:Annotation::)?([^[]+)(\[.*\])?$/.exec(id) ?? [];
          return {
            rule,
            finding: finding.replace(/chiiki-(dev|prod)\b/g, 'chiiki-<stage>'),
            reason,
            where: entry.path,
          };
        }),
      ),
    );
}

/** The rows of the table in docs/suppressions.md. */
function documentedRows(): { rule: string; findings: string; reason: string }[] {
  const doc = readFileSync(join(repoRoot, 'docs', 'suppressions.md'), 'utf8');
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| `AwsSolutions-'))
    .map((line) => {
      const cells = line.slice(2, -2).split(' | ');
      return {
        rule: (cells[0] ?? '').replace(/`/g, ''),
        findings: cells[1] ?? '',
        reason: cells[cells.length - 1] ?? '',
      };
    });
}

describe('acknowledged cdk-nag findings', () => {
  let acknowledged: Acknowledged[];

  beforeAll(() => {
    acknowledged = [...acknowledgedIn({}), ...acknowledgedIn({ stage: 'prod', alarmEmail: 'ops@example.jp' })];
  }, 240_000);

  it('are each listed in docs/suppressions.md with the reason the code gives', () => {
    const rows = documentedRows();

    expect(acknowledged.length).toBeGreaterThan(20);
    for (const ack of acknowledged) {
      const row = rows.find((r) => r.rule === ack.rule && r.reason === ack.reason);
      expect(row, `${ack.rule}${ack.finding} at ${ack.where}: "${ack.reason}"`).toBeDefined();
      if (ack.finding) expect(row?.findings, `${ack.rule} at ${ack.where}`).toContain(ack.finding);
    }
  });

  it('list nothing the code no longer acknowledges', () => {
    for (const row of documentedRows())
      expect(
        acknowledged.some((a) => a.rule === row.rule && a.reason === row.reason),
        `${row.rule}: "${row.reason}"`,
      ).toBe(true);
  });
});
