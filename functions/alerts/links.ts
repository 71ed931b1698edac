/** Moved to shared/subscriptions/links.ts (the API routes use it too); kept so existing imports keep working. */
export * from '../../shared/subscriptions/links.js';
