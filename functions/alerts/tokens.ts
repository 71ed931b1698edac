/** Moved to shared/subscriptions/tokens.ts (the API routes use it too); kept so existing imports keep working. */
export * from '../../shared/subscriptions/tokens.js';
