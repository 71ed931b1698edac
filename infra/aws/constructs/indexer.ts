import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ItemsTable } from './items-table.js';
import { acknowledge } from '../nag.js';
import { functionSpecs, hasEntry } from '../functions.js';
import { ProjectFunction } from './project-function.js';
import { consumedQueue, deadLetterQueue } from './queues.js';
import type { SearchDomain } from './search-domain.js';

/**
 * Receives of one index retry message before it moves to the retry dead-letter queue: with the
 * queue's visibility timeout (6 × the function's) about 72 minutes of engine outage heal by
 * themselves; a longer one waits in the dead-letter queue for a redrive.
 */
const indexRetryMaxReceives = 12;

export interface IndexerProps {
  readonly stage: string;
  readonly table: ItemsTable;
  readonly search: SearchDomain;
  readonly logRetentionDays: number;
}

/**
 * Indexing: the table's stream feeds the index function in batches. When the index write fails
 * (the engine is down or hung) the function parks the batch's item ids in the index retry queue
 * (delayed 60 s) and the stream moves on; the index retry function re-reads those items from the
 * table by key and applies them, so the index converges by itself once the engine is back. A
 * message still failing after `indexRetryMaxReceives` receives goes to the retry dead-letter queue, which holds ids
 * only and is sent back with SQS's own redrive (`aws sqs start-message-move-task`), never needing a
 * full reindex. Records the function cannot parse, or cannot park, are split (bisect) and retried
 * by the stream, then go to the stream's dead-letter queue (their stream coordinates). The reindex
 * function rebuilds the index from the table.
 */
export class Indexer extends Construct {
  readonly indexFunction: ProjectFunction;
  /** Absent while its handler file is missing (an optional function). */
  readonly reindexFunction?: ProjectFunction;
  readonly deadLetterQueue: sqs.Queue;
  /** Item ids whose index write failed, waiting to be re-read from the table and applied. */
  readonly retryQueue: sqs.Queue;
  readonly retryDeadLetterQueue: sqs.Queue;
  readonly retryFunction: ProjectFunction;

  constructor(scope: Construct, id: string, props: IndexerProps) {
    super(scope, id);
    const common = { stage: props.stage, logRetentionDays: props.logRetentionDays };

    this.deadLetterQueue = deadLetterQueue(this, 'IndexDeadLetterQueue');
    this.indexFunction = new ProjectFunction(this, 'IndexFunction', { ...common, key: 'index' });
    // Stream records carry the images; the table is written for program series (functions/indexer/link-series.ts).
    props.search.bindSearch(this.indexFunction, 'write');
    props.table.bindTable(this.indexFunction, 'readWrite');
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

    this.retryDeadLetterQueue = deadLetterQueue(this, 'IndexRetryDeadLetterQueue');
    this.retryQueue = consumedQueue(this, 'IndexRetryQueue', {
      consumerTimeoutSec: functionSpecs.indexRetry.timeoutSec,
      deadLetters: this.retryDeadLetterQueue,
      maxReceiveCount: indexRetryMaxReceives,
    });
    this.retryQueue.grantSendMessages(this.indexFunction.role);
    this.indexFunction.addEnvironment('INDEX_RETRY_QUEUE_URL', this.retryQueue.queueUrl);

    this.retryFunction = new ProjectFunction(this, 'IndexRetryFunction', { ...common, key: 'indexRetry' });
    props.search.bindSearch(this.retryFunction, 'write');
    props.table.bindTable(this.retryFunction, 'readWrite');
    this.retryFunction.fn.addEventSource(
      new SqsEventSource(this.retryQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // A down engine fails every invocation; a few at a time is enough to drain the queue after.
        maxConcurrency: 2,
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
