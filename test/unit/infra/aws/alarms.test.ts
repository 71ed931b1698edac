import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs, repoRoot } from '../../../../infra/aws/functions.js';
import type { PortalApp } from '../../../../infra/aws/portal-app.js';
import { synthPortal } from '../../../support/synth-portal.js';

type Alarm = {
  Properties: {
    AlarmName: string;
    AlarmDescription?: string;
    AlarmActions?: unknown[];
    Namespace?: string;
    MetricName?: string;
    Threshold: number;
    ComparisonOperator: string;
    EvaluationPeriods: number;
    Dimensions?: { Name: string; Value: unknown }[];
    Metrics?: { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: unknown[] } } }[];
  };
};

/** An alarm's threshold settings and its metric, whether CloudFormation holds it flat or as a labelled query. */
function alarmView(alarm: Alarm['Properties'] | undefined) {
  if (!alarm) return undefined;
  const stat = alarm.Metrics?.[0]?.MetricStat?.Metric;
  return {
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    EvaluationPeriods: alarm.EvaluationPeriods,
    Namespace: alarm.Namespace ?? stat?.Namespace,
    MetricName: alarm.MetricName ?? stat?.MetricName,
    Dimensions: alarm.Dimensions ?? stat?.Dimensions,
  };
}

const runbook = readFileSync(join(repoRoot, 'docs/runbook.md'), 'utf8');

/** GitHub's anchor of a markdown heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => slug(m[1] ?? '')));

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('alarms and dashboard', () => {
  let portal: PortalApp;
  let app: Template;
  let alarms: Alarm[];

  beforeAll(() => {
    portal = synthPortal();
    app = Template.fromStack(portal.service);
    alarms = Object.values(app.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  }, 120_000);

  const byId = (id: string) => alarmView(alarms.find((a) => a.Properties.AlarmName === `chiiki-dev-${id}`)?.Properties);

  it('has a runbook entry for every alarm, and every paging alarm links to it', () => {
    expect(alarms.length).toBeGreaterThan(25);
    for (const { Properties: a } of alarms) {
      const id = a.AlarmName.replace(/^chiiki-dev-/, '');
      const linked = /\(runbook: docs\/runbook\.md#([a-z0-9-]+)\)$/.exec(a.AlarmDescription ?? '')?.[1];

      expect(runbook.includes(`\`${id}\``) || anchors.has(slug(id)), `${id} is named in docs/runbook.md`).toBe(true);
      if (a.AlarmActions === undefined) continue; // a trigger (CrawlCycleRunning), not a page
      expect(linked, `${id} links its runbook entry`).toBeDefined();
      expect(anchors.has(linked ?? ''), `docs/runbook.md has the heading #${linked}`).toBe(true);
    }
  });

  it('watches throttles and near-timeouts of every function, and p99 of the API and the indexer', () => {
    for (const [key, spec] of Object.entries(functionSpecs)) {
      const name = key.charAt(0).toUpperCase() + key.slice(1);
      const nearTimeout = byId(`${name}NearTimeout`);

      expect(byId(`${name}Throttles`)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
      expect(nearTimeout).toMatchObject({ MetricName: 'Duration', Threshold: spec.timeoutSec * 900 });
    }
    expect(byId('ApiSlowP99')).toMatchObject({ MetricName: 'Duration', Threshold: 3000, EvaluationPeriods: 3 });
    expect(byId('IndexSlowP99')).toMatchObject({ MetricName: 'Duration', Threshold: 30_000 });
  });

  it('watches the search domain by its name and the account: red, yellow, free storage, JVM pressure', () => {
    const dimensions = [
      { Name: 'ClientId', Value: { Ref: 'AWS::AccountId' } },
      { Name: 'DomainName', Value: 'chiiki-dev' },
    ];

    expect(byId('SearchClusterRed')).toMatchObject({
      Namespace: 'AWS/ES',
      MetricName: 'ClusterStatus.red',
      Threshold: 1,
      Dimensions: dimensions,
    });
    expect(byId('SearchClusterYellow')).toMatchObject({ MetricName: 'ClusterStatus.yellow', EvaluationPeriods: 3 });
    // A quarter of the dev node's 10 GB, in MB.
    expect(byId('SearchFreeStorage')).toMatchObject({
      MetricName: 'FreeStorageSpace',
      Threshold: 2560,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
    expect(byId('SearchJvmPressure')).toMatchObject({ MetricName: 'JVMMemoryPressure', Threshold: 92 });
  });

  it('scales the free-storage threshold with the prod volume', () => {
    const prod = Template.fromStack(synthPortal({ stage: 'prod' }).service);

    prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'chiiki-prod-SearchFreeStorage',
      Threshold: 25_600,
    });
  }, 120_000);

  it('watches the SES reputation rates before SES reviews the account', () => {
    expect(byId('SesBounceRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
    });
    expect(byId('SesComplaintRate')).toMatchObject({ MetricName: 'Reputation.ComplaintRate', Threshold: 0.0008 });
  });

  it('reads only portal metrics that a metric filter derives from a log line the code writes', () => {
    const filters = Object.values(app.findResources('AWS::Logs::MetricFilter')) as {
      Properties: { FilterPattern: string; MetricTransformations: { MetricName: string; MetricValue: string }[] };
    }[];
    const derived = new Map(filters.map((f) => [f.Properties.MetricTransformations[0]?.MetricName, f.Properties]));
    const dashboard = JSON.stringify(app.findResources('AWS::CloudWatch::Dashboard'));
    const read = new Set<string>();
    for (const text of [dashboard, JSON.stringify(alarms)]) {
      for (const m of text.matchAll(/(?:SUM|MAX|MIN|AVG|COUNT)\((\w+)\) FROM ChiikiPortal/g)) read.add(m[1] ?? '');
      for (const m of text.matchAll(/\\"ChiikiPortal\\",\\"(\w+)\\"/g)) read.add(m[1] ?? '');
    }
    for (const a of alarms.map((x) => alarmView(x.Properties)))
      if (a?.Namespace === 'ChiikiPortal') read.add(a.MetricName ?? '');
    const code = [...sources(join(repoRoot, 'functions')), ...sources(join(repoRoot, 'shared'))].join('\n');

    expect([...read].sort()).toEqual(['ItemsNew', 'MailsSent', 'SourceFailed', 'SourceStale', 'SourceSuspect']);
    for (const name of read) {
      const filter = derived.get(name);
      expect(filter, `a metric filter derives ${name}`).toBeDefined();
      const message = /\$\.message = "([^"]+)"/.exec(filter?.FilterPattern ?? '')?.[1];
      expect(code, `some function logs '${message}'`).toContain(`'${message}'`);
      const fields = [
        ...`${filter?.FilterPattern} ${filter?.MetricTransformations[0]?.MetricValue}`.matchAll(/\$\.(\w+)/g),
      ]
        .map((m) => m[1] ?? '')
        .filter((f) => f !== 'message');
      for (const field of fields)
        expect(code, `a log line carries ${field} (for ${name})`).toMatch(new RegExp(`\\b${field}\\??:`));
    }
  });

  it('reads AWS metrics only from the services the app runs', () => {
    const namespaces = new Set(
      [...JSON.stringify([alarms, app.findResources('AWS::CloudWatch::Dashboard')]).matchAll(/AWS\/[A-Za-z]+/g)].map(
        (m) => m[0],
      ),
    );

    expect([...namespaces].sort()).toEqual(['AWS/ApiGateway', 'AWS/ES', 'AWS/Lambda', 'AWS/SES', 'AWS/SQS']);
  });
});
