import type { Clock } from '../../shared/clock.js';
import type { Config } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import { domainOf } from '../../shared/mail/mime.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { SubscriptionStore } from '../../shared/store/subscription-store.js';
import { linksFor } from '../../shared/subscriptions/links.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import type { DigestDeps } from './digest.js';
import type { DigestSeriesStore } from './forecast-lines.js';
import type { SesEventDeps } from './ses-events.js';

/** The settings the alerts' ports are built from. */
export type AlertsConfig = Pick<
  Config,
  'PUBLIC_BASE_URL' | 'PORTAL_URL' | 'PORT' | 'AWS_LAMBDA_FUNCTION_NAME' | 'MAIL_FROM'
>;

/** What differs by place (Lambda, the local stack, `chiiki digest`): the adapters behind the alerts' ports. */
export interface AlertsAdapters {
  readonly subscriptions: SubscriptionStore;
  readonly items: DigestDeps['items'];
  /** Program series: the digest's forecast lines and the note on a forecast round that came. */
  readonly series: DigestSeriesStore;
  readonly mailer: Mailer;
  /** The HMAC secret of subscription links (TOKEN_SECRET, or Secrets Manager in AWS). */
  readonly tokenSecret: string;
  /** A new, empty, in-memory index (the embedded engine) per digest run. */
  readonly scratchIndex: () => SearchIndex;
  readonly clock: Clock;
  readonly log: Log;
}

/** The ports of the alerts: the digest job and the SES event handler. */
export interface AlertsDeps {
  readonly digest: DigestDeps;
  readonly sesEvents: SesEventDeps;
}

/**
 * The alerts' ports from their settings and the adapters of the place they run: the Lambda
 * wiring, the local stack and `chiiki digest` build them here, so mail links and Message-IDs come
 * from the same settings everywhere.
 */
export function buildAlertsDeps(config: AlertsConfig, adapters: AlertsAdapters): AlertsDeps {
  const { subscriptions, clock, log } = adapters;
  return {
    digest: {
      subscriptions,
      items: adapters.items,
      series: adapters.series,
      mailer: adapters.mailer,
      links: linksFor(config, new TokenSigner(adapters.tokenSecret)),
      clock,
      log,
      scratchIndex: adapters.scratchIndex,
      messageDomain: domainOf(config.MAIL_FROM),
    },
    sesEvents: { subscriptions, hashSecret: adapters.tokenSecret, clock, log },
  };
}
