import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionSpecs,
  hasEntry,
  missingEntries,
  repoRoot,
  type FunctionKey,
} from '../../../../infra/aws/functions.js';
import { createPortalApp, type PortalApp } from '../../../../infra/aws/portal-app.js';

type LambdaFunction = {
  Properties: {
    Description?: string;
    TracingConfig?: { Mode: string };
    Environment?: { Variables?: Record<string, unknown> };
    Role: unknown;
  };
};
type Policy = {
  Properties: {
    Roles: unknown[];
    PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] };
  };
};

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Synthesizes (cdk-nag included) without bundling, as the stack tests do. */
function synth(context: Record<string, unknown> = {}): PortalApp {
  expect(missingEntries(repoRoot, 'required')).toEqual([]);
  const portal = createPortalApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    portalDir: '/nonexistent/portal',
  });
  portal.app.synth(); // throws on any unacknowledged cdk-nag finding
  return portal;
}

describe.each([
  ['dev', {}],
  ['prod', { stage: 'prod', alarmEmail: 'ops@example.jp', corsOrigins: 'https://portal.example.jp' }],
])('X-Ray tracing, %s stage', (_stage, context) => {
  let app: Template;

  beforeAll(() => {
    app = Template.fromStack(synth(context).service);
  }, 120_000);

  const functions = () => Object.values(app.findResources('AWS::Lambda::Function')) as LambdaFunction[];

  it('turns active tracing on for every function of the app, each named for the Tracer', () => {
    const expected = (Object.keys(functionSpecs) as FunctionKey[]).filter((key) => hasEntry(key));
    const all = functions();
    const services = all
      .map((f) => f.Properties.Environment?.Variables?.['POWERTOOLS_SERVICE_NAME'])
      .filter((s) => s !== undefined)
      .sort();

    expect(services).toEqual(expected.map((key) => functionSpecs[key].service).sort());
    for (const fn of all) expect(fn.Properties.TracingConfig, fn.Properties.Description).toEqual({ Mode: 'Active' });
  });

  it('lets every function role write trace segments, and uses "*" for nothing else but stream listing', () => {
    const policies = Object.values(app.findResources('AWS::IAM::Policy')) as Policy[];
    const rolesOfFunctions = new Set(functions().map((f) => JSON.stringify(f.Properties.Role)));
    const tracingRoles = new Set(
      policies
        .filter((p) =>
          p.Properties.PolicyDocument.Statement.some(
            (s) =>
              asList(s.Action).includes('xray:PutTraceSegments') &&
              asList(s.Action).includes('xray:PutTelemetryRecords') &&
              asList(s.Resource).includes('*'),
          ),
        )
        .flatMap((p) => p.Properties.Roles.map((role) => JSON.stringify({ 'Fn::GetAtt': [refOf(role), 'Arn'] }))),
    );

    expect(tracingRoles).toEqual(rolesOfFunctions);
    const wildcardActions = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => asList(s.Resource).includes('*'))
      .flatMap((s) => asList(s.Action));
    expect(new Set(wildcardActions)).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']),
    );
  });
});

/** `{ Ref: X }` → `X`. */
function refOf(role: unknown): string {
  if (typeof role === 'object' && role !== null && 'Ref' in role && typeof role.Ref === 'string') return role.Ref;
  throw new Error(`role is not a Ref: ${JSON.stringify(role)}`);
}
