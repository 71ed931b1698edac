import { ItemIdSchema } from '../../../shared/domain/item.js';
import type { Frequency, SavedSearch, Subscription } from '../../../shared/domain/subscription.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../shared/errors.js';
import { confirmationSearchText } from '../../../shared/mail/render.js';
import { summariseSearch } from '../../../shared/subscriptions/search-summary.js';
import type { SubscriptionDeps } from '../../../shared/subscriptions/subscriptions.js';
import type { TokenPurpose } from '../../../shared/subscriptions/tokens.js';
import type { HttpResult } from '../../middleware/http-event.js';
import { toErrorResponse } from '../../middleware/http-errors.js';
import { escapeHtml, htmlPage, nextSteps, postButton } from './page-shell.js';

/**
 * The pages behind the links a mail carries (confirm, unsubscribe, mute): what the link will do,
 * what it did, and, when it cannot work (expired, altered, already used), a Japanese page that
 * says why and what to do next. A GET never changes anything; its button POSTs back.
 */

/** 配信頻度 in words. */
export const frequencyLabels: Record<Frequency, string> = {
  immediate: '新着があり次第（収集のたび）',
  daily: '1日1回まで',
  weekly: '週1回まで',
};

type LinkDeps = Pick<SubscriptionDeps, 'subscriptions' | 'tokens' | 'links' | 'clock'>;

/** What a link's GET finds: the subscription, and whether the link's action is already done. */
export interface LinkState {
  readonly subscription: Subscription;
  readonly done: boolean;
  /** The token's ref: the muted item of a mute link, the request nonce of a confirmation link. */
  readonly ref: string;
}

/**
 * Reads the subscription behind a link without changing it. Throws the same errors the action
 * would (`InvalidInputError` for a bad, expired or superseded token, `NotFoundError` for a removed
 * subscription), so the page can say so before the reader presses the button.
 */
export async function inspectLink(deps: LinkDeps, token: unknown, purpose: TokenPurpose): Promise<LinkState> {
  const claims = deps.tokens.verify(token, purpose, deps.clock.now());
  const subscription = await deps.subscriptions.get(claims.subscriptionId);
  if (subscription === undefined) throw new NotFoundError('no such subscription; it may have been removed');
  const done = isDone(subscription, purpose, claims.ref);
  if (purpose === 'confirm' && !done && subscription.pending?.nonce !== claims.ref) {
    throw new InvalidInputError([{ path: ['token'], message: 'the link is invalid or has expired; subscribe again' }]);
  }
  return { subscription, done, ref: claims.ref };
}

function isDone(subscription: Subscription, purpose: TokenPurpose, ref: string): boolean {
  switch (purpose) {
    case 'confirm':
      return subscription.status === 'active' && subscription.pending?.nonce !== ref;
    case 'unsubscribe':
      return subscription.status === 'unsubscribed' || subscription.status === 'suppressed';
    case 'mute':
      return subscription.muted.some((id) => id === ref);
    case 'manage':
      return false;
  }
}

/** The manage link of the subscription a link belongs to (a link proves its holder got our mail). */
function manageUrlOf(deps: LinkDeps, subscription: Subscription): string {
  return deps.links.subscriber(subscription.id, deps.clock.now()).manageUrl;
}

/**
 * The searches a confirmation link would add (or just added), as the confirmation mail lists them:
 * labels from the parsed query, never the request's text, which anyone could have written.
 */
function confirmationList(searches: readonly Pick<SavedSearch, 'query'>[]): string {
  return searchList(searches.map((s) => confirmationSearchText(summariseSearch(s.query))));
}

function searchList(labels: readonly string[]): string {
  if (labels.length === 0) return '';
  return `<ul class="saved-list">${labels.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

function itemUrlOf(deps: LinkDeps, ref: string): string | undefined {
  const id = ItemIdSchema.safeParse(ref);
  return id.success ? deps.links.record(id.data) : undefined;
}

/**
 * The titles of the items with these ids, as far as `deps.items` knows them (the newest `limit`
 * ids only); empty without an item store.
 */
export async function itemTitles(
  deps: Pick<SubscriptionDeps, 'items'>,
  ids: readonly string[],
  limit = 100,
): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const items = deps.items;
  if (items === undefined) return titles;
  const wanted = ids.slice(-limit).flatMap((id) => {
    const parsed = ItemIdSchema.safeParse(id);
    return parsed.success ? [parsed.data] : [];
  });
  const found = await Promise.all(wanted.map((id) => items.get(id)));
  for (const item of found) if (item) titles.set(item.id, item.title);
  return titles;
}

/** The muted call as its title when known. */
function callNameOf(title: string | undefined): string {
  return title ? `<p class="call-title">「${escapeHtml(title)}」</p>` : '';
}

/**
 * The GET page of a link: its button, or "already done" with what to do instead. `itemTitle`: the
 * title of a mute link's call.
 */
export function linkPage(
  deps: LinkDeps,
  state: LinkState,
  purpose: 'confirm' | 'unsubscribe' | 'mute',
  action: string,
  itemTitle?: string,
): HttpResult {
  const { subscription } = state;
  const portal = deps.links.portal;
  const page = (title: string, body: string) => htmlPage({ portal, title, body });
  const email = `<p class="lead">宛先: <strong>${escapeHtml(subscription.email)}</strong></p>`;
  if (purpose === 'confirm') {
    if (state.done) {
      return page(
        '登録は完了しています',
        `${email}<p class="notice notice-ok">このメール配信はすでに始まっています。もう一度操作する必要はありません。</p>` +
          nextSteps([
            { href: manageUrlOf(deps, subscription), text: '保存検索・配信頻度の変更' },
            { href: `${portal}/`, text: 'ポータルで公募を探す' },
          ]),
      );
    }
    const pending = subscription.pending;
    return page(
      'メール配信の確認',
      email +
        '<p>次の検索条件に合う新しい公募を、メールでお知らせします。</p>' +
        confirmationList(pending?.searches ?? []) +
        (pending ? `<p>配信頻度: ${escapeHtml(frequencyLabels[pending.frequency])}</p>` : '') +
        postButton(action, '配信を開始する') +
        '<p class="hint">心当たりがない場合は、このページを閉じてください。何も送られません。</p>',
    );
  }
  if (purpose === 'unsubscribe') {
    if (state.done) {
      return page(
        '配信は停止済みです',
        `${email}<p class="notice notice-ok">このアドレスへのメール配信はすでに停止しています。これ以上メールは届きません。</p>` +
          '<p>もう一度受け取るには、ポータルの検索ページから登録し直してください。</p>' +
          nextSteps([{ href: `${portal}/`, text: 'ポータルで公募を探す' }]),
      );
    }
    return page(
      '配信停止',
      email +
        '<p>ボタンを押すと、このアドレスへのメール配信をすべて停止します。</p>' +
        postButton(action, '配信を停止する') +
        '<p class="hint">頻度を減らしたい、条件を変えたいだけなら、停止せずに設定を変更できます。</p>' +
        nextSteps([{ href: manageUrlOf(deps, subscription), text: '保存検索・配信頻度の変更' }]),
    );
  }
  const itemUrl = itemUrlOf(deps, state.ref);
  const itemLink = itemUrl ? [{ href: itemUrl, text: 'この公募をポータルで見る' }] : [];
  if (state.done) {
    return page(
      'この公募の通知は停止済みです',
      `${email}${callNameOf(itemTitle)}<p class="notice notice-ok">この公募についてのお知らせはすでに止めています。</p>` +
        '<p>通知を再開するには、配信設定のページで「通知を止めた公募」から選んでください。</p>' +
        nextSteps([...itemLink, { href: manageUrlOf(deps, subscription), text: '保存検索・配信頻度の変更' }]),
    );
  }
  return page(
    'この公募の通知を止める',
    email +
      callNameOf(itemTitle) +
      '<p>ボタンを押すと、この公募についてのお知らせ（変更・締切前のお知らせ）を今後お送りしません。ほかの公募のお知らせは続きます。</p>' +
      postButton(action, '通知を止める') +
      nextSteps(itemLink),
  );
}

/** The page after a link's POST did its work. */
export function linkDonePage(
  deps: LinkDeps,
  subscription: Subscription,
  purpose: 'confirm' | 'unsubscribe' | 'mute',
  ref: string,
  itemTitle?: string,
): HttpResult {
  const portal = deps.links.portal;
  if (purpose === 'confirm') {
    return htmlPage({
      portal,
      title: '配信を開始しました',
      body:
        `<p class="notice notice-ok">${escapeHtml(subscription.email)} に、次の条件に合う新しい公募をお知らせします（${escapeHtml(frequencyLabels[subscription.frequency])}）。</p>` +
        confirmationList(subscription.searches) +
        nextSteps([
          { href: manageUrlOf(deps, subscription), text: '保存検索・配信頻度の変更' },
          { href: `${portal}/`, text: 'ポータルで公募を探す' },
        ]),
    });
  }
  if (purpose === 'unsubscribe') {
    return htmlPage({
      portal,
      title: '配信を停止しました',
      body:
        `<p class="notice notice-ok">${escapeHtml(subscription.email)} へのメール配信をすべて停止しました。今後メールはお送りしません。</p>` +
        '<p>もう一度受け取るには、ポータルの検索ページから登録し直してください。</p>' +
        nextSteps([{ href: `${portal}/`, text: 'ポータルで公募を探す' }]),
    });
  }
  const itemUrl = itemUrlOf(deps, ref);
  return htmlPage({
    portal,
    title: '通知を止めました',
    body:
      callNameOf(itemTitle) +
      '<p class="notice notice-ok">この公募についてのお知らせは今後お送りしません。ほかの公募のお知らせは続きます。</p>' +
      '<p>間違えた場合は、配信設定のページで通知を再開できます。</p>' +
      nextSteps([
        ...(itemUrl ? [{ href: itemUrl, text: 'この公募をポータルで見る' }] : []),
        { href: manageUrlOf(deps, subscription), text: '保存検索・配信頻度の変更' },
      ]),
  });
}

function isGenuine(deps: Pick<SubscriptionDeps, 'tokens' | 'clock'>, token: unknown, purpose: TokenPurpose): boolean {
  try {
    deps.tokens.verify(token, purpose, deps.clock.now());
    return true;
  } catch {
    return false;
  }
}

/** What a link was for, in the words of the error page. */
const linkNames: Record<TokenPurpose, string> = {
  confirm: '確認リンク',
  manage: '配信設定のリンク',
  unsubscribe: '配信停止のリンク',
  mute: '通知停止のリンク',
};

const lifetimes: Record<TokenPurpose, string> = {
  confirm: '7日間',
  manage: '60日間',
  unsubscribe: '1年間',
  mute: '1年間',
};

/**
 * The Japanese page for an error on a link page, with the status the JSON API would give
 * (`toErrorResponse`: 400 bad or expired link, 404 removed subscription, 409 stopped
 * subscription, 500 anything else) and what the reader can do next.
 */
export function linkErrorPage(
  deps: Pick<SubscriptionDeps, 'tokens' | 'links' | 'clock'>,
  error: unknown,
  context: { purpose: TokenPurpose; token: unknown; requestId: string },
): HttpResult {
  const portal = deps.links.portal;
  const statusCode = toErrorResponse(error, context.requestId).statusCode;
  const name = linkNames[context.purpose];
  const again = { href: `${portal}/`, text: 'ポータルの検索ページから登録し直す' };
  const page = (title: string, message: string, steps: { href: string; text: string }[], extra = '') =>
    htmlPage({
      portal,
      statusCode,
      title,
      body: `<p class="notice notice-error" role="alert">${escapeHtml(message)}</p>${extra}${nextSteps(steps)}`,
    });
  const tokenIssue = error instanceof InvalidInputError && error.issues.some((issue) => issue.path[0] === 'token');
  if (tokenIssue && deps.tokens.hasExpired(context.token, context.purpose, deps.clock.now())) {
    return page(
      'リンクの有効期限が切れています',
      `この${name}の有効期限（${lifetimes[context.purpose]}）が切れています。`,
      [again],
      context.purpose === 'confirm'
        ? '<p>お手数ですが、もう一度登録してください。新しい確認メールをお送りします。</p>'
        : '<p>いちばん新しい配信メールにあるリンクを開いてください。新しいメールのリンクは有効です。</p>',
    );
  }
  if (tokenIssue && context.purpose === 'confirm' && isGenuine(deps, context.token, context.purpose)) {
    // A genuine, unexpired confirmation link refused all the same: a later request replaced it.
    return page(
      'この確認リンクは使えません',
      'この確認リンクは、その後に届いた新しい確認メールで置き換えられています。',
      [again],
      '<p>いちばん新しい確認メールのリンクを開くか、もう一度登録してください。</p>',
    );
  }
  if (tokenIssue) {
    return page(
      'リンクが正しくありません',
      `この${name}は正しくないか、途中で切れています。`,
      [again],
      '<p>メールソフトがリンクを折り返して途中までしか開いていないことがあります。メールにあるURLを最後まで選んでコピーし、ブラウザのアドレス欄に貼り付けてください。それでも開けない場合は、いちばん新しい配信メールのリンクを使ってください。</p>',
    );
  }
  if (error instanceof NotFoundError) {
    return page('配信登録が見つかりません', 'この配信登録は見つかりませんでした。削除された可能性があります。', [
      again,
    ]);
  }
  if (error instanceof ConflictError) {
    return page(
      'この配信は停止しています',
      'このアドレスへの配信は停止しているため、設定を変更できません。',
      [again],
      '<p>もう一度受け取るには、ポータルの検索ページから登録し直してください。</p>',
    );
  }
  if (error instanceof InvalidInputError) {
    return page('入力を確認してください', '送られた内容を読み取れませんでした。', [
      { href: `${portal}/`, text: 'ポータルへ戻る' },
    ]);
  }
  return page(
    'エラーが発生しました',
    'ただいま処理できませんでした。時間をおいてもう一度お試しください。',
    [{ href: `${portal}/`, text: 'ポータルへ戻る' }],
    `<p class="hint">問い合わせの際は次の番号をお知らせください: ${escapeHtml(context.requestId)}</p>`,
  );
}
