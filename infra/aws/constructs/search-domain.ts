import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { DomainSize } from '../config.js';
import type { FunctionKey } from '../functions.js';
import { acknowledge } from '../nag.js';
import { ProjectFunction } from './project-function.js';

export interface SearchDomainProps {
  readonly stage: string;
  readonly size: DomainSize;
  /** The functions whose roles may call the domain (nobody else may, whatever their IAM policy says). */
  readonly clients: readonly FunctionKey[];
  readonly retainData?: boolean;
  readonly logRetentionDays: number;
  /** Replicas of every index shard, told to the functions (`OPENSEARCH_REPLICAS`). @default 0 */
  readonly replicas?: number;
}

const readActions = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'];
const writeActions = [...readActions, 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'];

/**
 * The Amazon OpenSearch Service domain: encryption at rest, node-to-node encryption, HTTPS only
 * with TLS 1.2+, slow and error logs to CloudWatch. Its resource policy admits only the named
 * function roles (by ARN, so the domain does not depend on the stack that creates them). The
 * index template and analyzers are installed by the indexer on first run (`ensureIndex`).
 */
export class SearchDomain extends Construct {
  readonly domain: opensearch.Domain;
  readonly domainName: string;
  readonly replicas: number;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { size } = props;
    this.replicas = props.replicas ?? 0;
    if (this.replicas > size.dataNodes - 1)
      throw new Error(
        `${this.replicas} search replicas need ${this.replicas + 1} data nodes, the domain has ${size.dataNodes}`,
      );
    this.domainName = `chiiki-${props.stage}`;
    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, {
        retention: props.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    const slowSearchLogs = logGroup('SlowSearchLogs');
    const slowIndexLogs = logGroup('SlowIndexLogs');
    const appLogs = logGroup('AppLogs');

    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodes: size.dataNodes,
        dataNodeInstanceType: size.dataNodeInstanceType,
        ...(size.masterNodes > 0
          ? { masterNodes: size.masterNodes, masterNodeInstanceType: size.masterNodeInstanceType }
          : {}),
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness:
        size.availabilityZones > 1
          ? { enabled: true, availabilityZoneCount: size.availabilityZones }
          : { enabled: false },
      ebs: { volumeSize: size.volumeSizeGb, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndexLogs,
        appLogEnabled: true,
        appLogGroup: appLogs,
      },
      // Written below as a plain logs resource policy instead of CDK's custom resource.
      suppressLogsResourcePolicy: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const logsPolicy = new logs.CfnResourcePolicy(this, 'LogsPolicy', {
      policyName: `chiiki-${props.stage}-opensearch-logs`,
      policyDocument: Stack.of(this).toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
            Resource: [slowSearchLogs, slowIndexLogs, appLogs].map((g) => g.logGroupArn),
          },
        ],
      }),
    });

    // The domain checks at creation that it may write to its log groups.
    this.domain.node.addDependency(logsPolicy);

    acknowledge(
      this.domain,
      'AwsSolutions-OS1',
      'the functions run outside a VPC (no NAT gateway, about 45 USD/month saved); every request is SigV4-signed and the resource policy admits only the named function roles',
    );
    acknowledge(
      this.domain,
      'AwsSolutions-OS3',
      'access is by IAM identity (SigV4) rather than by IP: Lambda has no fixed addresses; the resource policy admits only the named function roles',
    );
    if (size.masterNodes === 0)
      acknowledge(
        this.domain,
        'AwsSolutions-OS4',
        'dev sizing: one small node without dedicated masters to keep the disposable stage cheap; prod sizing uses three dedicated masters',
      );
    if (size.availabilityZones === 1)
      acknowledge(
        this.domain,
        'AwsSolutions-OS7',
        'dev sizing: a single node cannot span zones; the index is rebuilt from the table (reindex) if the zone fails; prod sizing uses three zones',
      );

    // Resource policy on the domain itself (a CloudFormation property, not CDK's custom resource):
    // only our function roles, identified by ARN so no cross-stack reference is needed.
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    const stack = Stack.of(this);
    cfnDomain.accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          // Roles named in a condition, not as principals: IAM checks that principals exist, and
          // the roles are created after the domain (in the app stack).
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root` },
          Action: writeActions,
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': props.clients.map((key) => ProjectFunction.roleArnFor(this, props.stage, key)),
            },
          },
          Resource: stack.formatArn({ service: 'es', resource: 'domain', resourceName: `${this.domainName}/*` }),
        },
      ],
    };
  }

  /**
   * Lets `fn` query (`read`) or also write (`write`) the domain over signed HTTPS, and sets
   * SEARCH_ENGINE, OPENSEARCH_ENDPOINT, OPENSEARCH_SIGV4 and OPENSEARCH_REPLICAS (applied when
   * the function creates an index: first run and reindex). The function must also be one of the
   * domain's `clients`.
   */
  bindSearch(fn: ProjectFunction, access: 'read' | 'write'): void {
    // The ARN is built from the fixed domain name: no cross-stack export, and a finding id that
    // can be acknowledged by name.
    const arn = Stack.of(fn).formatArn({ service: 'es', resource: 'domain', resourceName: this.domainName });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access === 'read' ? readActions : writeActions,
        resources: [arn, `${arn}/*`],
      }),
    );
    acknowledge(
      fn.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:es:<AWS::Region>:<AWS::AccountId>:domain/${this.domainName}/*]`,
      'OpenSearch authorizes HTTP paths under the domain ARN (index names are created by the indexer); the actions are the listed HTTP verbs only, and the domain policy admits only our function roles',
    );
    fn.addEnvironment('SEARCH_ENGINE', 'opensearch');
    fn.addEnvironment('OPENSEARCH_ENDPOINT', `https://${this.domain.domainEndpoint}`);
    fn.addEnvironment('OPENSEARCH_SIGV4', 'true');
    fn.addEnvironment('OPENSEARCH_REPLICAS', String(this.replicas));
  }
}
