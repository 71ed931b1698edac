import { join } from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  compiledRegistriesDir,
  esbuildSettings,
  functionSpecs,
  metricsNamespace,
  repoRoot,
  type FunctionKey,
} from '../functions.js';
import { acknowledge } from '../nag.js';

/**
 * Name of a function's execution role; stable so the search domain's access policy can name it.
 * IAM names are global to the account, so the region is part of it (a stage in two regions).
 */
function functionRoleName(stage: string, key: FunctionKey): string {
  return `chiiki-${stage}-${key}-fn-${Aws.REGION}`;
}

export interface ProjectFunctionProps {
  readonly stage: string;
  /** Which of `functionSpecs` this is: entry, memory, timeout and service name. */
  readonly key: FunctionKey;
  readonly logRetentionDays: number;
  /** Whether the log group survives stack deletion. @default false (destroyed) */
  readonly retainLogs?: boolean;
  /** Extra environment (the `bind…` methods of the resources add theirs). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Repository root holding the entry files and package-lock.json. @default the repository of this file */
  readonly projectRoot?: string;
  /** Override of the function's memory. @default functionSpecs[key].memoryMb */
  readonly memoryMb?: number;
}

/**
 * A Lambda function with the project's defaults: Node 22 on arm64, an esbuild ESM bundle
 * (minified, source maps, AWS SDK from the runtime), explicit memory and timeout, its own log group
 * with retention, an execution role that can write only to that log group (and X-Ray traces), active
 * X-Ray tracing and Powertools settings (structured JSON logs, EMF metrics in the `ChiikiPortal`
 * namespace, the Tracer's service name).
 *
 * Grants come from the resources' `bind…` methods, which set the matching environment variable in
 * the same call, so permission and configuration cannot drift apart.
 */
export class ProjectFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly key: FunctionKey;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const spec = functionSpecs[props.key];
    const root = props.projectRoot ?? repoRoot;
    this.key = props.key;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: functionRoleName(props.stage, props.key),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `execution role of the ${spec.service} function (${props.stage})`,
    });
    // Only its own log group: no AWSLambdaBasicExecutionRole (logs:* on every group).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(root, spec.entry),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb ?? spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSec),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // X-Ray: Powertools' Tracer (shared/wiring/tracer.ts) adds the handler and work subsegments.
      tracing: lambda.Tracing.ACTIVE,
      description: `chiiki-portal ${spec.service} (${props.stage})`,
      environment: {
        STAGE: props.stage,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: spec.service,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        LOG_LEVEL: 'info',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: esbuildSettings.target,
        minify: esbuildSettings.minify,
        sourceMap: esbuildSettings.sourcemap,
        keepNames: esbuildSettings.keepNames,
        mainFields: [...esbuildSettings.mainFields],
        banner: esbuildSettings.banner,
        externalModules: [...esbuildSettings.external],
        logLevel: LogLevel.ERROR,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `mkdir -p "${join(outputDir, 'registries')}"`,
            `cp "${compiledRegistriesDir()}"/*.json "${join(outputDir, 'registries')}/"`,
          ],
        },
      },
    });
    // Tracing.ACTIVE grants xray:PutTraceSegments and xray:PutTelemetryRecords on "*".
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray trace writes (xray:PutTraceSegments, xray:PutTelemetryRecords) support no resource-level permissions; a template test checks that no other statement of a function role uses "*"',
    );
    acknowledge(
      this.fn,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the project targets (esbuild target node22, engines, CI); moving to a newer runtime is a deliberate project-wide change',
    );
  }

  /** The function's CloudFormation logical id (as cdk-nag prints it in findings). */
  get logicalId(): string {
    const stack = Stack.of(this);
    return stack.resolve(stack.getLogicalId(this.fn.node.defaultChild as lambda.CfnFunction)) as string;
  }

  /**
   * Acknowledges the `<function ARN>:*` finding on a role that invokes this function (CDK's
   * scheduler target grants the function and its versions and aliases).
   */
  acknowledgeInvokeWildcard(role: iam.IRole): void {
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${this.logicalId}.Arn>:*]`,
      'the wildcard covers only versions and aliases of this one function (granted by the CDK scheduler target)',
    );
  }

  /** Sets one environment variable (used by the resources' `bind…` methods). */
  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }

  /** Adds a statement to the function's own role. */
  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPolicy(statement);
  }

  /**
   * Asynchronous invocations (Scheduler, SNS) that still fail after two retries go to `queue`,
   * with the event and the error, instead of being dropped.
   */
  sendAsyncFailuresTo(queue: sqs.IQueue): void {
    this.fn.configureAsyncInvoke({
      onFailure: new SqsDestination(queue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
  }

  /** The ARN of the role as the search domain's access policy names it (no token). */
  static roleArnFor(scope: Construct, stage: string, key: FunctionKey): string {
    return Stack.of(scope).formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: functionRoleName(stage, key),
    });
  }
}
