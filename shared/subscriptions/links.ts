import { publicBaseUrlOf, type Config } from '../config.js';
import type { ItemId } from '../domain/item.js';
import type { SubscriptionId } from '../domain/subscription.js';
import type { SubscriberLinks } from '../mail/render.js';
import type { TokenSigner } from './tokens.js';

/**
 * Builds the absolute links a mail carries, each with its own signed token, and the links to the
 * portal's pages (an item's record is the portal's item view, `/?item=<id>`, never the JSON API).
 */
export class LinkBuilder {
  constructor(
    private readonly options: {
      /** `https://api.example.jp` (no trailing slash): PUBLIC_BASE_URL. */
      baseUrl: string;
      tokens: TokenSigner;
      /** Optional `mailto:` target for List-Unsubscribe. */
      unsubscribeMailto?: string;
      /** Origin of the portal's pages when they are served apart from the API; default `baseUrl`. */
      portalUrl?: string;
    },
  ) {}

  /** The portal's origin (no trailing slash): its search page is `${portal}/`, its stylesheet `${portal}/assets/styles.css`. */
  get portal(): string {
    return (this.options.portalUrl ?? this.options.baseUrl).replace(/\/$/, '');
  }

  /** The portal's search page for a saved search's `/v1/search` query string. */
  portalSearch(params: string): string {
    return params ? `${this.portal}/?${params}` : `${this.portal}/`;
  }

  private url(path: string, token: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/v1/subscriptions/${path}?token=${encodeURIComponent(token)}`;
  }

  confirm(id: SubscriptionId, nonce: string, now: Date): string {
    return this.url('confirm', this.options.tokens.sign({ subscriptionId: id, purpose: 'confirm', ref: nonce }, now));
  }

  subscriber(id: SubscriptionId, now: Date): SubscriberLinks {
    return {
      manageUrl: this.url('manage', this.options.tokens.sign({ subscriptionId: id, purpose: 'manage' }, now)),
      unsubscribeUrl: this.url(
        'unsubscribe',
        this.options.tokens.sign({ subscriptionId: id, purpose: 'unsubscribe' }, now),
      ),
      ...(this.options.unsubscribeMailto ? { unsubscribeMailto: this.options.unsubscribeMailto } : {}),
    };
  }

  mute(id: SubscriptionId, itemId: ItemId, now: Date): string {
    return this.url('mute', this.options.tokens.sign({ subscriptionId: id, purpose: 'mute', ref: itemId }, now));
  }

  /** The item's record: the portal's item view. */
  record(itemId: ItemId): string {
    return `${this.portal}/?item=${encodeURIComponent(itemId)}`;
  }
}

/**
 * The links of mails and link pages from the settings: PUBLIC_BASE_URL (required in Lambda) and
 * PORTAL_URL when the portal is served apart from the API. The API and the alerts build them here.
 */
export function linksFor(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'PORTAL_URL' | 'PORT' | 'AWS_LAMBDA_FUNCTION_NAME'>,
  tokens: TokenSigner,
): LinkBuilder {
  return new LinkBuilder({
    baseUrl: publicBaseUrlOf(config),
    ...(config.PORTAL_URL ? { portalUrl: config.PORTAL_URL } : {}),
    tokens,
  });
}
