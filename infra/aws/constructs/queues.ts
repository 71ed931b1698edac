import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

/**
 * A dead-letter queue: SQS-managed encryption, TLS only, 14 days retention (the longest SQS
 * allows) so an operator has two weeks to read and redrive failures.
 */
export function deadLetterQueue(scope: Construct, id: string, options: { fifo?: boolean } = {}): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    ...(options.fifo ? { fifo: true } : {}),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    'this queue is itself a dead-letter queue; failures end here and raise an alarm',
  );
  return queue;
}

/**
 * A queue a Lambda function consumes: SQS-managed encryption, TLS only, 4 days retention, a
 * visibility timeout of six times the consumer's timeout (AWS guidance for Lambda consumers), and
 * a message moved to `deadLetters` after `maxReceiveCount` receives.
 */
export function consumedQueue(
  scope: Construct,
  id: string,
  options: { consumerTimeoutSec: number; deadLetters: sqs.IQueue; maxReceiveCount: number },
): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(options.consumerTimeoutSec * 6),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: options.deadLetters, maxReceiveCount: options.maxReceiveCount },
  });
}
