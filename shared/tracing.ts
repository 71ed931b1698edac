/** Values a span is indexed by (X-Ray annotations): short strings, numbers, booleans. */
export type SpanAnnotations = Readonly<Record<string, string | number | boolean>>;

/**
 * The narrow tracing port shared code and plain functions depend on: a unit of work (a crawl of one
 * source, an index batch, an API route, a digest shard group) runs inside a named span. In Lambda
 * the wiring passes X-Ray subsegments through Powertools' Tracer (`shared/wiring/tracer.ts`);
 * locally, in the CLI and in tests it is `noTracing`, which only runs the work.
 */
export interface Tracing {
  /**
   * Runs `work` inside a span called `name` (a constant, lower-case phrase: ids go in
   * `annotations`) and returns or rethrows what it does. The span ends when `work` settles and
   * records the error when it throws. Spans opened inside `work` nest under this one.
   */
  span<T>(name: string, work: () => Promise<T>, annotations?: SpanAnnotations): Promise<T>;
}

/** Tracing off: runs the work and nothing else. */
export const noTracing: Tracing = { span: (_name, work) => work() };

/** A span as `RecordingTracing` saw it. */
export interface RecordedSpan {
  readonly name: string;
  readonly annotations: SpanAnnotations;
  /** Names of the spans it was opened inside, outermost first. */
  readonly parents: readonly string[];
  /** Whether `work` threw. */
  failed: boolean;
}

/** Keeps every span in memory, in the order they were opened; for tests. */
export class RecordingTracing implements Tracing {
  readonly spans: RecordedSpan[] = [];
  private readonly open: string[] = [];

  async span<T>(name: string, work: () => Promise<T>, annotations: SpanAnnotations = {}): Promise<T> {
    const recorded: RecordedSpan = { name, annotations, parents: [...this.open], failed: false };
    this.spans.push(recorded);
    this.open.push(name);
    try {
      return await work();
    } catch (error) {
      recorded.failed = true;
      throw error;
    } finally {
      this.open.splice(this.open.lastIndexOf(name), 1);
    }
  }

  /** Names of the recorded spans, in the order they were opened. */
  get names(): string[] {
    return this.spans.map((s) => s.name);
  }
}
