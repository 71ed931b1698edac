import { createDocument } from 'zod-openapi';
import * as z from 'zod';
import {
  ChangeBodySchema,
  ErrorResponseSchema,
  exportRowCap,
  HealthResponseSchema,
  ItemDetailSchema,
  ItemIdParamsSchema,
  MutedResponseSchema,
  SearchParamsSchema,
  SearchResponseSchema,
  SeriesDetailSchema,
  SeriesIdParamsSchema,
  SourcesResponseSchema,
  SubscribeAcceptedResponseSchema,
  SubscribeBodySchema,
  SubscriptionTokenParamsSchema,
  SubscriptionViewResponseSchema,
  UnsubscribedResponseSchema,
} from './schemas.js';
import { csvColumns } from './export-csv.js';

type OpenApiDocument = ReturnType<typeof createDocument>;

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const errors = {
  '400': {
    description: 'A parameter is invalid; `issues` names each one and the expected form.',
    content: json(ErrorResponseSchema),
  },
  '500': { description: 'Failure on our side; quote the requestId.', content: json(ErrorResponseSchema) },
};
const retryAfterHeader = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer' as const, minimum: 1 },
  },
};
/** Every route that reads the search index answers this while the engine cannot be reached. */
const searchUnavailable = {
  '503': {
    description:
      'Search is unavailable (the search engine cannot be reached or did not answer in time; error `SearchUnavailableError`); retry after Retry-After seconds. Item pages (/v1/items/{id}) keep working.',
    headers: retryAfterHeader,
    content: json(ErrorResponseSchema),
  },
};
const etagHeader = {
  ETag: {
    description: 'Weak validator of the body; send it back as If-None-Match to get a 304.',
    schema: { type: 'string' as const },
  },
};
const notModified = { '304': { description: 'Not modified (If-None-Match matched the ETag).' } };
/** A GET of one record by its id: the record with an ETag, 304, or 404 when there is no such `what`. */
const getById = (
  operationId: string,
  summary: string,
  path: z.ZodType<unknown, Record<string, unknown>>,
  schema: z.ZodType,
  what: string,
) => ({
  get: {
    operationId,
    summary,
    requestParams: { path },
    responses: {
      '200': { description: `The ${what}.`, headers: etagHeader, content: json(schema) },
      ...notModified,
      '404': { description: `No such ${what}.`, content: json(ErrorResponseSchema) },
      ...errors,
    },
  },
});

// ---- subscriptions ----------------------------------------------------------------------------

const tokenQuery = { query: SubscriptionTokenParamsSchema };
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const badToken = {
  description:
    'The token is missing, invalid or expired (issue at `token`), or the body is invalid; `issues` names each problem.',
  content: json(ErrorResponseSchema),
};
const gone = { description: 'The subscription no longer exists.', content: json(ErrorResponseSchema) };
/** A GET on a link from a mail: a page with one button that POSTs to the same URL; changes nothing. */
const linkPage = (operationId: string, summary: string) => ({
  get: {
    operationId,
    summary,
    description:
      'Opened from the link in a mail. Answers a small page with one button that POSTs back to the same URL, so mail scanners that prefetch links change nothing.',
    requestParams: tokenQuery,
    responses: { '200': html('Page with one button that POSTs to this URL.'), '500': errors['500'] },
  },
});
const jsonOrHtml = (description: string, schema: z.ZodType) => ({
  description: `${description} JSON, or a short confirmation page when the request's Accept header includes text/html (the form on the link page).`,
  content: { ...json(schema), 'text/html': { schema: z.string() } },
});
const manageChange = (operationId: string) => ({
  operationId,
  summary: 'Change saved searches, frequency or reminders, or unmute items',
  description: 'Only the fields sent change. `searches` replaces the saved searches.',
  requestParams: tokenQuery,
  requestBody: { required: true, content: json(ChangeBodySchema) },
  responses: {
    '200': { description: 'The subscription after the change.', content: json(SubscriptionViewResponseSchema) },
    '400': badToken,
    '404': gone,
    '409': {
      description: 'The subscription is not active (pending or unsubscribed); subscribe again to change it.',
      content: json(ErrorResponseSchema),
    },
    '500': errors['500'],
  },
});

/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas in schemas.ts.
 * `serverUrl` is where the API is reachable: its configured PUBLIC_BASE_URL, never the request's Host.
 */
export function openApiDocument(serverUrl?: string): OpenApiDocument {
  const searchQuery = { query: SearchParamsSchema };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'chiiki-portal API',
      version: '1.0.0',
      description:
        'Search support-program calls (公募・支援施策), regional S&T news and research themes collected from Japanese ministry, agency and prefecture sites. List parameters take repeated keys or comma-separated values.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths: {
      '/v1/search': {
        get: {
          operationId: 'search',
          summary: 'Search items',
          requestParams: searchQuery,
          responses: {
            '200': {
              description: 'One page of hits with facets.',
              headers: etagHeader,
              content: json(SearchResponseSchema),
            },
            ...notModified,
            ...errors,
            ...searchUnavailable,
          },
        },
      },
      '/v1/items/{id}': getById(
        'getItem',
        'One item with who may apply, its amounts, provenance, change history and its program series (rounds and the next round, 見込み)',
        ItemIdParamsSchema,
        ItemDetailSchema,
        'item',
      ),
      '/v1/series/{id}': getById(
        'getSeries',
        'A program series: its rounds, the evidence linking them and the next round (見込み)',
        SeriesIdParamsSchema,
        SeriesDetailSchema,
        'series',
      ),
      '/v1/sources': {
        get: {
          operationId: 'listSources',
          summary: 'Every source with crawl health',
          responses: {
            '200': { description: 'Sources in registry order.', content: json(SourcesResponseSchema) },
            ...notModified,
            '500': errors['500'],
          },
        },
      },
      '/v1/feed.rss': {
        get: {
          operationId: 'feedRss',
          summary: 'A search as an RSS 2.0 feed (newest first, 50 items unless size is given)',
          requestParams: searchQuery,
          responses: {
            '200': { description: 'RSS 2.0', content: { 'application/rss+xml': { schema: z.string() } } },
            ...notModified,
            ...errors,
            ...searchUnavailable,
          },
        },
      },
      '/v1/feed.atom': {
        get: {
          operationId: 'feedAtom',
          summary: 'A search as an Atom 1.0 feed (newest first, 50 items unless size is given)',
          requestParams: searchQuery,
          responses: {
            '200': { description: 'Atom 1.0', content: { 'application/atom+xml': { schema: z.string() } } },
            ...notModified,
            ...errors,
            ...searchUnavailable,
          },
        },
      },
      '/v1/export.csv': {
        get: {
          operationId: 'exportCsv',
          summary: `A search as CSV (UTF-8 with BOM, at most ${exportRowCap} rows)`,
          description: `Columns: ${csvColumns.join(', ')}. Lists are separated by ";". Header X-Export-Truncated is true when the search had more than ${exportRowCap} hits.`,
          requestParams: searchQuery,
          responses: {
            '200': {
              description: 'CSV (RFC 4180, CRLF).',
              headers: {
                'X-Export-Truncated': {
                  description: `true when more than ${exportRowCap} rows matched`,
                  schema: { type: 'string' as const },
                },
              },
              content: { 'text/csv': { schema: z.string() } },
            },
            ...errors,
            ...searchUnavailable,
          },
        },
      },
      '/v1/subscriptions': {
        post: {
          operationId: 'subscribe',
          summary: 'Ask for e-mail alerts for saved searches (double opt-in)',
          description:
            'Records the request and mails a confirmation link to the address; nothing else is mailed until the link is confirmed. The answer is always 202 with the same body, whether the address is new, pending, already subscribed, unsubscribed or suppressed: it never reveals whether an address is subscribed.',
          requestBody: { required: true, content: json(SubscribeBodySchema) },
          responses: {
            '202': {
              description: 'Accepted (always the same body, whatever the state of the address).',
              content: json(SubscribeAcceptedResponseSchema),
            },
            '400': {
              description: 'The body is invalid; `issues` names each field (saved-search issues under `searches.<i>`).',
              content: json(ErrorResponseSchema),
            },
            '429': {
              description:
                'Too many subscription requests (the same answer whichever limit was reached); retry after Retry-After seconds.',
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again.',
                  schema: { type: 'integer' as const, minimum: 1 },
                },
              },
              content: json(ErrorResponseSchema),
            },
            '500': errors['500'],
          },
        },
      },
      '/v1/subscriptions/confirm': {
        ...linkPage('confirmSubscriptionPage', 'Confirmation link page'),
        post: {
          operationId: 'confirmSubscription',
          summary: 'Confirm a subscription request (activates it)',
          description: 'Applies the pending request and starts alerts from now. Confirming twice changes nothing.',
          requestParams: tokenQuery,
          responses: {
            '200': jsonOrHtml('The active subscription.', SubscriptionViewResponseSchema),
            '400': badToken,
            '404': gone,
            '500': errors['500'],
          },
        },
      },
      '/v1/subscriptions/manage': {
        get: {
          operationId: 'getSubscription',
          summary: 'The subscription behind a manage link',
          requestParams: tokenQuery,
          responses: {
            '200': { description: 'Saved searches and settings.', content: json(SubscriptionViewResponseSchema) },
            '400': badToken,
            '404': gone,
            '500': errors['500'],
          },
        },
        post: manageChange('changeSubscription'),
        put: manageChange('replaceSubscriptionSettings'),
      },
      '/v1/subscriptions/unsubscribe': {
        ...linkPage('unsubscribePage', 'Unsubscribe link page'),
        post: {
          operationId: 'unsubscribe',
          summary: 'Stop all mail to this address (RFC 8058 one-click target)',
          description:
            'The List-Unsubscribe-Post target of every mail: mail clients POST `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded); the body is ignored and the token in the URL decides. Idempotent.',
          requestParams: tokenQuery,
          requestBody: {
            required: false,
            content: {
              'application/x-www-form-urlencoded': {
                schema: z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() }),
              },
            },
          },
          responses: {
            '200': jsonOrHtml('Unsubscribed.', UnsubscribedResponseSchema),
            '400': badToken,
            '404': gone,
            '500': errors['500'],
          },
        },
      },
      '/v1/subscriptions/mute': {
        ...linkPage('muteItemPage', 'Mute link page'),
        post: {
          operationId: 'muteItem',
          summary: 'Never mail about this item again (the item is named by the token)',
          description: 'Idempotent.',
          requestParams: tokenQuery,
          responses: {
            '200': jsonOrHtml('Muted.', MutedResponseSchema),
            '400': badToken,
            '404': gone,
            '500': errors['500'],
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'openApi',
          summary: 'This document',
          responses: {
            '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({}).loose() } } },
          },
        },
      },
      '/v1/health': {
        get: {
          operationId: 'health',
          summary: 'Liveness',
          description:
            '`status` is `degraded` (still 200) with a `reason` while writes to storage fail or the search engine cannot be reached; `indexedItems` is absent in the latter case.',
          responses: { '200': { description: 'Up.', content: json(HealthResponseSchema) }, '500': errors['500'] },
        },
      },
    },
  });
}
