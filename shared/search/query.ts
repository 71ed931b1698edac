/**
 * The search query model. It lives in shared/domain/search-query.ts because a saved search (a
 * subscription) embeds it; it is re-exported here, beside the SearchIndex port that consumes it.
 */
export * from '../domain/search-query.js';
