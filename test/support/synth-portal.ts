import { createPortalApp, type PortalApp } from '../../infra/aws/portal-app.js';
import { missingEntries, repoRoot } from '../../infra/aws/functions.js';

/**
 * Synthesizes the CDK app with the real handler paths but without bundling, and runs cdk-nag
 * (throws on any unacknowledged finding). `context` are `-c` settings; the portal page is left
 * out unless `portalDir` names it.
 */
export function synthPortal(context: Record<string, unknown> = {}, portalDir = '/nonexistent/portal'): PortalApp {
  const missing = missingEntries(repoRoot, 'required');
  if (missing.length > 0)
    throw new Error(
      `cannot synthesize: handler files missing (infra/aws/functions.ts lists them): ${missing.join(', ')}`,
    );
  const portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, portalDir });
  portal.app.synth();
  return portal;
}
