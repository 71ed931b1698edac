/**
 * The parts of an API Gateway HTTP API (payload format 2.0) event and result our middlewares and
 * routes read. Structural subsets of `APIGatewayProxyEventV2` / `APIGatewayProxyStructuredResultV2`,
 * so route logic does not depend on `aws-lambda` types and tests can build events by hand.
 */
export interface HttpEvent {
  readonly version?: string;
  readonly routeKey?: string;
  readonly rawPath: string;
  /** As sent by the client, still percent-encoded; repeated keys kept. */
  readonly rawQueryString?: string;
  /** Lower-case names in payload 2.0; repeated headers joined with commas. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Decoded; API Gateway joins repeated keys with commas, so prefer `rawQueryString`. */
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  pathParameters?: Record<string, string | undefined>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly requestId?: string;
    readonly domainName?: string;
    readonly http: { readonly method: string; readonly path: string };
  };
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** A header value by case-insensitive name (payload 2.0 lower-cases names; hand-built events may not). */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers;
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** The id API Gateway gave the request (quoted in error bodies and logs). */
export function requestIdOf(event: HttpEvent | undefined, context?: { awsRequestId?: string }): string {
  return event?.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
}

/** A response header value by case-insensitive name. */
export function responseHeaderOf(response: HttpResult, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers ?? {}))
    if (key.toLowerCase() === lower) return String(value);
  return undefined;
}
