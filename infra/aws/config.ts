import { readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * Deployment settings of one stage. They come from cdk context (`-c stage=prod -c alarmEmail=...`)
 * and, optionally, a JSON file named by `-c configFile=path.json`; context wins over the file and
 * both win over the stage's defaults. Everything has a default, so `npx cdk synth` with no settings
 * builds a working dev stage.
 */

/** OpenSearch Service sizing. `dev`: one t3.small node; `prod`: three data nodes in three AZs, three dedicated masters. */
export const DomainSizeSchema = z.strictObject({
  dataNodes: z.number().int().min(1).max(20),
  dataNodeInstanceType: z
    .string()
    .regex(/^[a-z0-9]+\.[a-z0-9]+\.search$/, 'expected an instance type such as "t3.small.search"'),
  /** 0 turns dedicated master nodes off. */
  masterNodes: z.union([z.literal(0), z.literal(3), z.literal(5)]),
  masterNodeInstanceType: z
    .string()
    .regex(/^[a-z0-9]+\.[a-z0-9]+\.search$/)
    .default('m7g.large.search'),
  /** 1 = no zone awareness; 2 or 3 spreads the data nodes over that many availability zones. */
  availabilityZones: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  volumeSizeGb: z.number().int().min(10).max(3000),
});
export type DomainSize = z.infer<typeof DomainSizeSchema>;

export const domainPresets = {
  dev: {
    dataNodes: 1,
    dataNodeInstanceType: 't3.small.search',
    masterNodes: 0,
    masterNodeInstanceType: 'm7g.large.search',
    availabilityZones: 1,
    volumeSizeGb: 10,
  },
  prod: {
    dataNodes: 3,
    dataNodeInstanceType: 'm7g.large.search',
    masterNodes: 3,
    masterNodeInstanceType: 'm7g.large.search',
    availabilityZones: 3,
    volumeSizeGb: 100,
  },
} as const satisfies Record<string, DomainSize>;

const origin = z.union([
  z.literal('*'),
  z.url().regex(/^https?:\/\/[^/]+$/, 'expected an origin without a path, e.g. "https://portal.example.jp"'),
]);

export const StageConfigSchema = z.strictObject({
  /** Stage name; part of every stack and resource name. `dev` is disposable, any other stage keeps its data. */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,11}$/, 'expected a short lower-case stage name such as "dev" or "prod"'),
  /** `dev`, `prod` or an explicit size. */
  domainSize: z.union([z.enum(['dev', 'prod']), DomainSizeSchema]),
  /** Sender of alert mails, `Name <address>` or a bare address; its domain (or address) becomes the SES identity. */
  mailFrom: z.string().min(3),
  /**
   * Operator address for alarms (it must confirm the subscription mail SNS sends). Without it the
   * alarm topic has no subscriber and synthesis warns that alarms reach no one.
   */
  alarmEmail: z.email().optional(),
  /**
   * The SES identity (the sender's domain) already exists in this account and region, verified by
   * hand or by another stage's data stack: use it by name instead of creating it. A second stage
   * that mails from the same domain sets this.
   */
  sesIdentityExists: z.boolean(),
  /**
   * Custom MAIL FROM domain of the identity (a subdomain of the sender's domain, e.g.
   * `bounce.example.jp`), so SPF aligns with the sender; needs an MX and a TXT record.
   */
  sesMailFromDomain: z
    .string()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'expected a domain name such as "bounce.example.jp"')
    .optional(),
  /**
   * Replicas of every search index shard. Default: 0 on a one-node domain, 1 where the domain has
   * two or more data nodes (with zone awareness the copies sit in different zones).
   */
  searchReplicas: z.number().int().min(0).max(5).optional(),
  /**
   * User-Agent the crawler sends to every site (CRAWL_USER_AGENT): the portal's name and a
   * contact a site operator can reach, e.g. `chiiki-portal-crawler/1.0 (+https://portal.example.jp/about; ops@example.jp)`.
   */
  crawlUserAgent: z
    .string()
    .min(5)
    .max(200)
    .regex(/https?:\/\/|@/, 'expected a User-Agent with a contact URL or e-mail address')
    .optional(),
  /** Allowed CORS origins of the API. */
  corsOrigins: z.array(origin).min(1),
  /** Which source registry the schedules and the crawler use. */
  sourceRegistry: z.enum(['sample', 'live']),
  /** Public base URL used in mail links (the portal page); the API's own URL when absent. */
  publicBaseUrl: z.url().optional(),
  /**
   * Where the portal pages are served (the site stack's domain), for links to a search or an item
   * in mails and feeds (`PORTAL_URL`); the API's base URL when absent.
   */
  portalUrl: origin.optional(),
  /** Custom domain of the API; needs an ACM certificate in the stack's region. */
  apiDomain: z
    .strictObject({ domainName: z.string().min(3), certificateArn: z.string().startsWith('arn:') })
    .optional(),
  /** Crawl functions running at once (SQS event source maxConcurrency; AWS minimum is 2). */
  crawlConcurrency: z.number().int().min(2).max(20),
  /** FIFO crawl queue grouped by host: never two crawls of one host at once (the dispatcher sets MessageGroupId). */
  crawlQueueFifo: z.boolean(),
  /** Seconds of Lambda time a crawl invocation keeps in reserve before it saves and continues in a new message. */
  crawlTimeMarginSec: z.number().int().min(1).max(150).optional(),
  /** Continuations one crawl run may take before it is recorded as partial. */
  crawlMaxContinuations: z.number().int().min(0).max(100).optional(),
  /** API Gateway steady rate (requests/s) and burst for the whole API. */
  apiThrottle: z.strictObject({ rateLimit: z.number().int().min(1), burstLimit: z.number().int().min(1) }),
  /** Digest (alert mail) schedule, EventBridge Scheduler syntax, UTC. */
  digestSchedule: z.string().regex(/^(cron|rate)\(.+\)$/),
  logRetentionDays: z.union([
    z.literal(7),
    z.literal(14),
    z.literal(30),
    z.literal(90),
    z.literal(180),
    z.literal(365),
  ]),
  /** Deploy the static portal page (S3 + CloudFront) when `portal/` exists. */
  portalSite: z.boolean(),
  /**
   * CloudFront with a WAF WebACL in front of the API (infra/aws/edge-stack.ts): per-IP rate limits
   * and caching of the cacheable GETs at the edge. The portal page then calls the API there.
   */
  edge: z.boolean(),
  /**
   * An existing WAF WebACL for the edge (scope CLOUDFRONT, so in us-east-1). Absent: the app's
   * `Chiiki-<stage>-EdgeWaf` stack in us-east-1 makes one.
   */
  edgeWebAclArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[^/]+\/[0-9a-f-]+$/,
      'expected the ARN of a WAF WebACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)',
    )
    .optional(),
  /** Requests one client IP may send to the edge in any 5 minutes before WAF answers 429. */
  edgeRateLimit: z.number().int().min(10).max(2_000_000_000),
  /**
   * Complete ARN of the Secrets Manager secret holding the KAKEN application id (SecretString);
   * the crawl function may read it and gets it as KAKEN_APP_ID_SECRET_ARN. Without it, KAKEN
   * sources fail their runs with a message saying what to set.
   */
  kakenAppIdSecretArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+-[A-Za-z0-9]{6}$/,
      'expected the complete ARN of a Secrets Manager secret (ending in its 6-character suffix)',
    )
    .optional(),
});

/** Resolved settings: `domainSize` is always explicit and `retainData` says whether stateful resources survive stack deletion. */
export type StageConfig = Omit<z.infer<typeof StageConfigSchema>, 'domainSize' | 'searchReplicas'> & {
  readonly domainSize: DomainSize;
  /** Always resolved: the setting or `defaultReplicas` of the domain. */
  readonly searchReplicas: number;
  readonly retainData: boolean;
};

function defaultsFor(stage: string): z.input<typeof StageConfigSchema> {
  const prodLike = stage !== 'dev';
  return {
    stage,
    domainSize: prodLike ? 'prod' : 'dev',
    mailFrom: '地域科学技術ポータル <alerts@chiiki-portal.example.jp>',
    corsOrigins: ['*'],
    // The sample registry points at the local sample-site server, which does not exist in AWS.
    sourceRegistry: 'live',
    crawlConcurrency: 2,
    crawlQueueFifo: true,
    apiThrottle: prodLike ? { rateLimit: 50, burstLimit: 100 } : { rateLimit: 10, burstLimit: 20 },
    // 08:00 Tokyo, after the nightly crawl cycle at 03:00 Tokyo (cron(0 18 * * ? *) UTC).
    digestSchedule: 'cron(0 23 * * ? *)',
    logRetentionDays: prodLike ? 90 : 14,
    portalSite: true,
    sesIdentityExists: false,
    edge: prodLike,
    // About 10 requests/s for five minutes: far above a person paging through results.
    edgeRateLimit: 3000,
  };
}

/** Context keys read from the CDK app (all optional). Comma-separated strings are accepted for `corsOrigins`. */
export const contextKeys = [
  'stage',
  'domainSize',
  'mailFrom',
  'alarmEmail',
  'corsOrigins',
  'sourceRegistry',
  'publicBaseUrl',
  'portalUrl',
  'apiDomain',
  'crawlConcurrency',
  'crawlTimeMarginSec',
  'crawlMaxContinuations',
  'crawlQueueFifo',
  'apiThrottle',
  'digestSchedule',
  'logRetentionDays',
  'portalSite',
  'kakenAppIdSecretArn',
  'sesIdentityExists',
  'sesMailFromDomain',
  'searchReplicas',
  'crawlUserAgent',
  'edge',
  'edgeWebAclArn',
  'edgeRateLimit',
] as const;

/** Plain context keys the CDK CLI and `cdk.json` use themselves (its other keys hold a `:` or start with `@`). */
const cdkOwnContextKeys: readonly string[] = ['cli-telemetry', 'acknowledged-issue-numbers', 'configFile'];

/**
 * Context keys that are neither ours (`contextKeys`) nor CDK's own (feature flags `@aws-cdk/...`,
 * `aws:cdk:*`, lookups such as `availability-zones:account=...`, `cli-telemetry`): most likely a
 * misspelt setting, which would otherwise be ignored without a word.
 */
export function unknownContextKeys(keys: readonly string[]): string[] {
  const ours = new Set<string>([...contextKeys, ...cdkOwnContextKeys]);
  return keys.filter((key) => !ours.has(key) && !key.startsWith('@') && !key.includes(':'));
}

/** Context values arrive as strings from `-c key=value`; JSON-looking values are parsed, lists split on commas. */
function fromContextString(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (key === 'corsOrigins' && !text.startsWith('['))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (/^[[{]/.test(text) || /^(true|false|-?\d+(\.\d+)?)$/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Builds the stage config from a context getter. Throws one error naming every invalid setting.
 *
 * @example resolveStageConfig((k) => app.node.tryGetContext(k))
 */
export function resolveStageConfig(
  getContext: (key: string) => unknown,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  presentKeys: readonly string[] = [],
): StageConfig {
  const unknown = unknownContextKeys(presentKeys);
  if (unknown.length > 0)
    throw new Error(
      `unknown context key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}, expected one of: ${[...contextKeys, 'configFile'].join(', ')}`,
    );
  const fileName = getContext('configFile');
  const fromFile: Record<string, unknown> =
    typeof fileName === 'string' ? (JSON.parse(readFile(fileName)) as Record<string, unknown>) : {};
  const fromContext: Record<string, unknown> = {};
  for (const key of contextKeys) {
    const value = getContext(key);
    if (value !== undefined) fromContext[key] = fromContextString(key, value);
  }
  const stage = String(fromContext['stage'] ?? fromFile['stage'] ?? 'dev');
  const merged = { ...defaultsFor(stage), ...fromFile, ...fromContext, stage };
  const parsed = StageConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid stage config for "${stage}": ${problems.join('; ')}`);
  }
  const { domainSize, ...rest } = parsed.data;
  const size = typeof domainSize === 'string' ? domainPresets[domainSize] : domainSize;
  const searchReplicas = rest.searchReplicas ?? defaultReplicas(size);
  if (searchReplicas > size.dataNodes - 1)
    throw new Error(
      `invalid stage config for "${stage}": searchReplicas: ${searchReplicas} replicas need ${searchReplicas + 1} data nodes, the domain has ${size.dataNodes}`,
    );
  return { ...rest, domainSize: size, searchReplicas, retainData: stage !== 'dev' };
}

/** 0 on a one-node domain (a replica could never be assigned), 1 from two data nodes on. */
function defaultReplicas(size: Pick<DomainSize, 'dataNodes'>): number {
  return size.dataNodes >= 2 ? 1 : 0;
}

/** The bare address of a `Name <address>` sender. */
export function senderAddress(mailFrom: string): string {
  const match = /<([^>]+)>/.exec(mailFrom);
  return (match?.[1] ?? mailFrom).trim();
}
