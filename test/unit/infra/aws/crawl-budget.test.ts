import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Crawl, type CrawlProps } from '../../../../infra/aws/constructs/crawl.js';
import { ItemsTable } from '../../../../infra/aws/constructs/items-table.js';
import { synthPortal } from '../../../support/synth-portal.js';

/** The crawl construct alone in a stack, synthesized without bundling. */
function synthCrawl(props: Partial<CrawlProps> = {}): { template: Template; crawl: Crawl; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'CrawlBudgetTest', { env: { account: '123456789012', region: 'ap-northeast-1' } });
  const table = new ItemsTable(stack, 'Items', { stage: 'test' });
  const crawl = new Crawl(stack, 'Crawl', {
    stage: 'test',
    table,
    sourceRegistry: 'sample',
    schedules: [],
    concurrency: 2,
    logRetentionDays: 7,
    ...props,
  });
  return { template: Template.fromStack(stack), crawl, stack };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The statements of the policies attached to `roleLogicalId`. */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleLogicalId),
    )
    .flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
}

describe('Crawl construct: the crawl time budget', () => {
  it('tells the crawl function its own queue, the margin and the continuation limit, with the defaults', () => {
    const { template, crawl, stack } = synthCrawl();

    const queueRef = stack.resolve(crawl.queue.queueUrl) as unknown;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CRAWL_QUEUE_URL: queueRef,
          CRAWL_TIME_MARGIN_MS: '60000',
          CRAWL_MAX_CONTINUATIONS: '10',
        }),
      },
    });
    // The same queue is the function's event source: continuations come back to it.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(crawl.queue.queueArn) as unknown,
      FunctionName: stack.resolve(crawl.crawlFunction.fn.functionName) as unknown,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the crawl function send to its own queue, and to nothing else', () => {
    const { template, crawl, stack } = synthCrawl();
    const roleId = stack.getLogicalId(crawl.crawlFunction.role.node.defaultChild as never);

    const sqsStatements = statementsOf(template, roleId).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('sqs:Send')),
    );

    expect(sqsStatements).toHaveLength(1);
    expect(sqsStatements[0]?.Effect).toBe('Allow');
    expect([sqsStatements[0]?.Action].flat()).toContain('sqs:SendMessage');
    expect(sqsStatements[0]?.Resource).toEqual(stack.resolve(crawl.queue.queueArn));
  });

  it('takes the margin and the continuation limit from its props', () => {
    const { template } = synthCrawl({ timeMarginSec: 45, maxContinuations: 3 });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CRAWL_TIME_MARGIN_MS: '45000', CRAWL_MAX_CONTINUATIONS: '3' }),
      },
    });
  });

  it.each([
    [{ timeMarginSec: 0 }, /timeMarginSec is 0, expected a whole number of seconds from 1 to 150/],
    [{ timeMarginSec: 151 }, /timeMarginSec is 151/],
    [{ timeMarginSec: 2.5 }, /timeMarginSec is 2.5/],
    [{ maxContinuations: -1 }, /maxContinuations is -1, expected a whole number from 0 to 100/],
    [{ maxContinuations: 101 }, /maxContinuations is 101/],
  ])('rejects %j', (props, message) => {
    expect(() => synthCrawl(props)).toThrow(message);
  });
});

describe('crawl time budget settings of the app', () => {
  it('reach the crawl function from the context keys crawlTimeMarginSec and crawlMaxContinuations', () => {
    const crawlEnv = (context: Record<string, unknown>) => {
      const template = Template.fromStack(synthPortal(context).service);
      const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
        (f) =>
          (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment
            ?.Variables?.['POWERTOOLS_SERVICE_NAME'] === 'crawl',
      ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
      return fn.Properties.Environment.Variables;
    };

    expect(crawlEnv({})).toMatchObject({ CRAWL_TIME_MARGIN_MS: '60000', CRAWL_MAX_CONTINUATIONS: '10' });
    expect(crawlEnv({ crawlTimeMarginSec: '90', crawlMaxContinuations: '4' })).toMatchObject({
      CRAWL_TIME_MARGIN_MS: '90000',
      CRAWL_MAX_CONTINUATIONS: '4',
    });
    expect(() => synthPortal({ crawlTimeMarginSec: '200' })).toThrow(/crawlTimeMarginSec/);
  }, 120_000);
});
