import { createPortalApp, type PortalApp } from '../../infra/aws/portal-app.js';
import { missingEntries, repoRoot } from '../../infra/aws/functions.js';

/**
 * Synthesized apps by their settings. A synthesized app is only read (templates, annotations), so
 * the tests of a worker share one per setting: the CDK tests run without isolation
 * (test/vitest.config.ts), and one synthesis with cdk-nag takes seconds.
 */
const synthesized = new Map<string, PortalApp>();

/**
 * Synthesizes the CDK app with the real handler paths but without bundling, and runs cdk-nag
 * (throws on any unacknowledged finding). `context` are `-c` settings; the portal page is left
 * out unless `portalDir` names it. Equal settings give the same app, synthesized once.
 */
export function synthPortal(context: Record<string, unknown> = {}, portalDir = '/nonexistent/portal'): PortalApp {
  const key = JSON.stringify([Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), portalDir]);
  const known = synthesized.get(key);
  if (known) return known;
  const missing = missingEntries(repoRoot, 'required');
  if (missing.length > 0)
    throw new Error(
      `cannot synthesize: handler files missing (infra/aws/functions.ts lists them): ${missing.join(', ')}`,
    );
  const portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, portalDir });
  portal.app.synth();
  synthesized.set(key, portal);
  return portal;
}
