import type { ItemId } from '../domain/item.js';
import type { SubscriptionId } from '../domain/subscription.js';
import type { SubscriberLinks } from '../mail/render.js';
import type { TokenSigner } from './tokens.js';

/** Builds the absolute links a mail carries, each with its own signed token. */
export class LinkBuilder {
  constructor(
    private readonly options: {
      /** `https://api.example.jp` (no trailing slash): PUBLIC_BASE_URL. */
      baseUrl: string;
      tokens: TokenSigner;
      /** Optional `mailto:` target for List-Unsubscribe. */
      unsubscribeMailto?: string;
    },
  ) {}

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

  record(itemId: ItemId): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}/v1/items/${itemId}`;
  }
}
