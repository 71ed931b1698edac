import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import {
  ErrorResponseSchema,
  exportRowCap,
  HealthResponseSchema,
  ItemDetailSchema,
  ItemIdParamsSchema,
  SearchParamsSchema,
  SearchResponseSchema,
  SourcesResponseSchema,
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
const etagHeader = {
  ETag: {
    description: 'Weak validator of the body; send it back as If-None-Match to get a 304.',
    schema: { type: 'string' as const },
  },
};
const notModified = { '304': { description: 'Not modified (If-None-Match matched the ETag).' } };

/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas in schemas.ts.
 * `serverUrl` is where the API is reachable (the request's own origin).
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
          },
        },
      },
      '/v1/items/{id}': {
        get: {
          operationId: 'getItem',
          summary: 'One item with provenance and change history',
          requestParams: { path: ItemIdParamsSchema },
          responses: {
            '200': { description: 'The item.', headers: etagHeader, content: json(ItemDetailSchema) },
            ...notModified,
            '404': { description: 'No such item.', content: json(ErrorResponseSchema) },
            ...errors,
          },
        },
      },
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
          responses: { '200': { description: 'Up.', content: json(HealthResponseSchema) }, '500': errors['500'] },
        },
      },
    },
  });
}
