import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj, Request } from '@middy/core';
import * as z from 'zod';
import type { SpanAnnotations, Tracing } from '../tracing.js';

/**
 * X-Ray tracing for the Lambda handlers, through Powertools' Tracer. One Tracer per container
 * (module scope); its service name is `POWERTOOLS_SERVICE_NAME`, set by the function's CDK construct.
 *
 * The Tracer switches itself off outside Lambda (no `AWS_EXECUTION_ENV`) and when
 * `POWERTOOLS_TRACE_ENABLED=false`: then the middleware and every span only run the work. Only the
 * handler modules import this file, so `npm start`, the CLI and the tests that build plain
 * functions never load the X-Ray SDK at all; they pass `noTracing`.
 */
const tracer = new Tracer();

/** The `Tracing` port over a Powertools Tracer: each span is an X-Ray subsegment of the current one. */
export function powertoolsTracing(target: Tracer): Tracing {
  return {
    async span<T>(name: string, work: () => Promise<T>, annotations: SpanAnnotations = {}): Promise<T> {
      if (!target.isTracingEnabled() || target.getSegment() === undefined) return work();
      // captureAsyncFunc runs `work` in its own context, so spans of concurrent work nest correctly.
      return (await target.provider.captureAsyncFunc(name, async (subsegment) => {
        for (const [key, value] of Object.entries(annotations)) subsegment?.addAnnotation(key, value);
        try {
          return await work();
        } catch (error) {
          if (error instanceof Error) subsegment?.addError(error);
          throw error;
        } finally {
          subsegment?.close();
        }
      })) as T;
    },
  };
}

/** The container's `Tracing` port (X-Ray in Lambda, nothing elsewhere). */
export const tracing: Tracing = powertoolsTracing(tracer);

/** A span the middleware opens around the whole unit of work an event carries. */
export interface EventSpan {
  readonly name: string;
  readonly annotations?: SpanAnnotations;
}

/**
 * The tracer's middy middleware for a handler: the `## handler` subsegment with the cold-start and
 * service annotations and any error (Powertools' `captureLambdaHandler`; responses are not recorded,
 * since API bodies and exports can be large), and, when `spanOf` names one, a subsegment inside it
 * for the event's unit of work (`crawl source`, `index batch`). Use it first, so it wraps the rest.
 */
export function traced<TEvent = unknown, TResult = unknown>(
  spanOf?: (event: TEvent) => EventSpan | undefined,
  target: Tracer = tracer,
): MiddlewareObj<TEvent, TResult> {
  const handlerSegment = captureLambdaHandler(target, { captureResponse: false }) as MiddlewareObj<TEvent, TResult>;
  type Open = {
    parent: NonNullable<ReturnType<Tracer['getSegment']>>;
    span: ReturnType<Open['parent']['addNewSubsegment']>;
  };
  // Per request, so concurrent invocations in one container keep their own spans.
  const opened = new WeakMap<object, Open>();
  const openSpan = (request: Request<TEvent, TResult>): void => {
    const parent = target.isTracingEnabled() ? target.getSegment() : undefined;
    const named = parent && spanOf ? spanOf(request.event) : undefined;
    if (!parent || !named) return;
    const span = parent.addNewSubsegment(named.name);
    for (const [name, value] of Object.entries(named.annotations ?? {})) span.addAnnotation(name, value);
    target.setSegment(span);
    opened.set(request, { parent, span });
  };
  const closeSpan = (request: Request<TEvent, TResult>): void => {
    const open = opened.get(request);
    if (open === undefined) return;
    opened.delete(request);
    if (request.error instanceof Error) open.span.addError(request.error);
    open.span.close();
    target.setSegment(open.parent);
  };
  return {
    before: async (request) => {
      await handlerSegment.before?.(request);
      openSpan(request);
    },
    after: async (request) => {
      closeSpan(request);
      await handlerSegment.after?.(request);
    },
    onError: async (request) => {
      closeSpan(request);
      await handlerSegment.onError?.(request);
    },
  };
}

const SqsJobsSchema = z.object({ Records: z.array(z.object({ body: z.string() })) });
const JobBodySchema = z.record(z.string(), z.unknown());
const RecordsSchema = z.object({ Records: z.array(z.unknown()) });

/**
 * A span per SQS job batch, annotated with the jobs' `field` (the crawl queue carries one source
 * per message and per invocation): `{ sourceId: "mext-koubo", jobs: 1 }`. Bodies that are not
 * JSON objects with the field are left out of the annotation; the handler reports them.
 */
export function sqsJobSpan(name: string, field: string): (event: unknown) => EventSpan {
  return (event) => {
    const parsed = SqsJobsSchema.safeParse(event);
    const records = parsed.success ? parsed.data.Records : [];
    const values = records.flatMap((record) => {
      try {
        const body = JobBodySchema.safeParse(JSON.parse(record.body));
        const value = body.success ? body.data[field] : undefined;
        return typeof value === 'string' ? [value] : [];
      } catch {
        return [];
      }
    });
    return { name, annotations: { [field]: values.join(','), jobs: records.length } };
  };
}

/** A span per batch of records (stream, SQS), annotated with the record count. */
export function batchSpan(name: string): (event: unknown) => EventSpan {
  return (event) => {
    const parsed = RecordsSchema.safeParse(event);
    return { name, annotations: { records: parsed.success ? parsed.data.Records.length : 0 } };
  };
}
