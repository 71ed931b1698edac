import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on `scope` (and its children) with the reason written next to
 * it. `id` is a rule (`AwsSolutions-SQS3`) or a single finding (`AwsSolutions-IAM5[Resource::*]`).
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement of ${id} needs a real reason, got "${reason}"`);
  Validations.of(scope).acknowledge({ id, reason });
}
