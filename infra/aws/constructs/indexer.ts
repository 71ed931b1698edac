import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ItemsTable } from './items-table.js';
import { acknowledge } from '../nag.js';
import { hasEntry } from '../functions.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue } from './queues.js';
import type { SearchDomain } from './search-domain.js';

export interface IndexerProps {
  readonly stage: string;
  readonly table: ItemsTable;
  readonly search: SearchDomain;
  readonly logRetentionDays: number;
}

/**
 * Indexing: the table's stream feeds the index function in batches; a failing batch is split
 * (bisect) and only the records the function reports as failed are retried; records still failing
 * after the retries, or older than a day, go to the dead-letter queue (their stream coordinates,
 * which the README shows how to replay). The reindex function rebuilds the index from the table.
 */
export class Indexer extends Construct {
  readonly indexFunction: ProjectFunction;
  /** Absent while its handler file is missing (an optional function). */
  readonly reindexFunction?: ProjectFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IndexerProps) {
    super(scope, id);
    const common = { stage: props.stage, logRetentionDays: props.logRetentionDays };

    this.deadLetterQueue = deadLetterQueue(this, 'IndexDeadLetterQueue');
    this.indexFunction = new ProjectFunction(this, 'IndexFunction', { ...common, key: 'index' });
    // Stream records carry the images; the indexer needs no table access beyond the stream.
    props.search.bindSearch(this.indexFunction, 'write');
    this.indexFunction.fn.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );

    acknowledge(
      this.indexFunction.role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams (added by the stream event source) has no resource-level permissions; all other stream actions are scoped to the table stream ARN',
    );

    if (hasEntry('reindex')) {
      this.reindexFunction = new ProjectFunction(this, 'ReindexFunction', { ...common, key: 'reindex' });
      props.search.bindSearch(this.reindexFunction, 'write');
      props.table.bindTable(this.reindexFunction, 'read');
    }
  }
}
