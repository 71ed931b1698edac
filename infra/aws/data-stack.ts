import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.js';
import type { FunctionKey } from './functions.js';
import { ItemsTable } from './constructs/items-table.js';
import { MailIdentity } from './constructs/mail-identity.js';
import { SearchDomain } from './constructs/search-domain.js';
import { TokenSecret } from './constructs/token-secret.js';

/** Functions that call the search domain; the domain's resource policy admits exactly these roles. */
const searchClients: readonly FunctionKey[] = ['index', 'indexRetry', 'reindex', 'api'];

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * Everything that holds state: the items table, the search domain, the token secret and the SES
 * identity (whose DKIM keys are published in DNS). Kept
 * apart from the functions so the app stack can be replaced or destroyed without touching data;
 * outside dev every resource here is retained and the table deletion-protected.
 */
export class DataStack extends Stack {
  readonly table: ItemsTable;
  readonly search: SearchDomain;
  readonly tokenSecret: TokenSecret;
  readonly mailIdentity: MailIdentity;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.table = new ItemsTable(this, 'Items', { stage: config.stage, retainData: config.retainData });
    this.search = new SearchDomain(this, 'Search', {
      stage: config.stage,
      size: config.domainSize,
      clients: searchClients,
      retainData: config.retainData,
      logRetentionDays: config.logRetentionDays,
      replicas: config.searchReplicas,
    });
    this.tokenSecret = new TokenSecret(this, 'TokenSecret', { stage: config.stage, retainData: config.retainData });
    this.mailIdentity = new MailIdentity(this, 'MailIdentity', {
      mailFrom: config.mailFrom,
      exists: config.sesIdentityExists,
      retainData: config.retainData,
      ...(config.sesMailFromDomain ? { mailFromDomain: config.sesMailFromDomain } : {}),
    });
  }
}
