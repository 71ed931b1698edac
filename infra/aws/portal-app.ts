import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadRegistry } from '../../shared/sources/registry.js';
import { AppStack } from './app-stack.js';
import { resolveStageConfig, type StageConfig } from './config.js';
import { DataStack } from './data-stack.js';
import { EdgeStack } from './edge-stack.js';
import { EdgeWafStack } from './edge-waf-stack.js';
import { missingEntries, repoRoot } from './functions.js';
import { crawlScheduleGroups, type CrawlScheduleGroup } from './schedules.js';
import { SiteStack } from './site-stack.js';

export interface PortalAppOptions extends AppProps {
  /** Registry schedules; read from the configured registry when absent. */
  readonly schedules?: readonly CrawlScheduleGroup[];
  /** Folder of the static portal page. @default portal */
  readonly portalDir?: string;
  /** Run the cdk-nag AwsSolutions pack during synthesis. @default true */
  readonly nag?: boolean;
}

export interface PortalApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly service: AppStack;
  /** CloudFront and WAF in front of the API (config `edge`). */
  readonly edge?: EdgeStack;
  /** The edge's WebACL in us-east-1, unless `edgeWebAclArn` names one. */
  readonly edgeWaf?: EdgeWafStack;
  readonly site?: SiteStack;
}

/**
 * The CDK app: `Chiiki-<stage>-Data` (table, search domain, secret), `Chiiki-<stage>-App`
 * (functions, queues, schedules, API, mail, dashboard, alarms), with `edge` on
 * `Chiiki-<stage>-Edge` (CloudFront in front of the API) and `Chiiki-<stage>-EdgeWaf` (its WebACL,
 * pinned to us-east-1), and, when the portal page exists, `Chiiki-<stage>-Site`. Env-agnostic
 * stacks apart from EdgeWaf: synthesis needs no account and no lookups.
 */
export function createPortalApp(options: PortalAppOptions = {}): PortalApp {
  const { schedules, portalDir, nag = true, ...appProps } = options;
  const missing = missingEntries(repoRoot, 'required');
  if (missing.length > 0)
    throw new Error(
      `cannot build the CDK app: handler files missing (listed in infra/aws/functions.ts): ${missing.join(', ')}`,
    );
  const app = new App({
    analyticsReporting: false,
    ...appProps,
    // The data stack's exports protect the table and domain from removal while the app stack uses them.
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...appProps.context },
  });
  const config = resolveStageConfig(
    (key) => app.node.tryGetContext(key),
    undefined,
    Object.keys(app.node.getAllContext()),
  );
  const prefix = `Chiiki-${config.stage}`;
  const registry = () => loadRegistry(config.sourceRegistry, { sampleHost: 'sample-sites.invalid' });

  const data = new DataStack(app, `${prefix}-Data`, {
    config,
    description: `chiiki-portal ${config.stage}: items table, search domain, token secret`,
    terminationProtection: config.retainData,
  });
  const service = new AppStack(app, `${prefix}-App`, {
    config,
    data,
    schedules: schedules ?? crawlScheduleGroups(registry()),
    description: `chiiki-portal ${config.stage}: crawl, index, API, alerts, observability`,
  });
  const edgeWaf =
    config.edge && !config.edgeWebAclArn
      ? new EdgeWafStack(app, `${prefix}-EdgeWaf`, {
          config,
          description: `chiiki-portal ${config.stage}: WAF WebACL of the API edge (us-east-1)`,
        })
      : undefined;
  const edge = config.edge
    ? new EdgeStack(app, `${prefix}-Edge`, {
        config,
        httpApi: service.api.httpApi,
        description: `chiiki-portal ${config.stage}: CloudFront and WAF in front of the API`,
      })
    : undefined;
  if (edge && edgeWaf) edge.addStackDependency(edgeWaf, 'reads the WebACL ARN the WAF stack writes to SSM');
  const sitePath = portalDir ?? join(repoRoot, 'portal');
  const site =
    config.portalSite && existsSync(sitePath)
      ? new SiteStack(app, `${prefix}-Site`, {
          config,
          portalDir: sitePath,
          apiOrigin: edge?.url ?? service.api.publicOrigin,
          description: `chiiki-portal ${config.stage}: portal page`,
        })
      : undefined;

  for (const entry of missingEntries(repoRoot, 'all'))
    Annotations.of(service).addWarningV2(
      'chiiki:missing-handler',
      `${entry} is missing: that function is not deployed`,
    );
  Tags.of(app).add('project', 'chiiki-portal');
  Tags.of(app).add('stage', config.stage);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, data, service, edge, edgeWaf, site };
}
