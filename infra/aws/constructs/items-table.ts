import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableDefinition } from '../../../shared/store/keys.js';
import type { ProjectFunction } from './project-function.js';

export interface ItemsTableProps {
  readonly stage: string;
  /** RETAIN, deletion protection. @default false (dev: destroyed with the stack) */
  readonly retainData?: boolean;
}

/**
 * The single DynamoDB table (key schema and GSIs from `shared/store/keys.ts`): on-demand, a
 * NEW_AND_OLD_IMAGES stream for the indexer, TTL on crawl runs, point-in-time recovery.
 */
export class ItemsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ItemsTableProps) {
    super(scope, id);
    const def = tableDefinition;
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: `chiiki-${props.stage}-items`,
      partitionKey: { name: def.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: def.sortKey.name, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType[def.streamViewType],
      timeToLiveAttribute: def.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retainData ?? false,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey.name, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey.name, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[gsi.projectionType],
      });
    }
  }

  /**
   * Lets `fn` use the table and tells it the name (`TABLE_NAME`). `read` grants item and query reads
   * only; `readWrite` adds item writes. Never table administration.
   */
  bindTable(fn: ProjectFunction, access: 'read' | 'readWrite'): void {
    const actions = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
    ];
    if (access === 'readWrite')
      actions.push('dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        resources: [
          this.table.tableArn,
          ...tableDefinition.globalSecondaryIndexes.map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`),
        ],
      }),
    );
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }
}
