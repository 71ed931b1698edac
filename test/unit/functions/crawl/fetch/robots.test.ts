import { describe, expect, it } from 'vitest';
import { robotsPolicy, robotsUrlFor } from '../../../../../functions/crawl/fetch/robots.js';

const ua = 'chiiki-portal-crawler/0.1 (+https://chiiki-portal.example/crawler)';
const robotsUrl = 'https://www.example.go.jp/robots.txt';

describe('robotsUrlFor', () => {
  it('points at the origin root, keeping the port', () => {
    expect(robotsUrlFor('http://mext-rdf.localhost:4010/b_menu/news/index.rdf?x=1')).toBe(
      'http://mext-rdf.localhost:4010/robots.txt',
    );
  });
});

describe('robotsPolicy', () => {
  it('obeys the rules of a fetched robots.txt', () => {
    const policy = robotsPolicy(robotsUrl, ua, {
      status: 200,
      text: 'User-agent: *\nDisallow: /cgi-bin/\nAllow: /cgi-bin/public\n',
    });

    expect(policy.kind).toBe('rules');
    if (policy.kind !== 'rules') return;
    expect(policy.isAllowed('https://www.example.go.jp/press/index.html')).toBe(true);
    expect(policy.isAllowed('https://www.example.go.jp/cgi-bin/search')).toBe(false);
    expect(policy.isAllowed('https://www.example.go.jp/cgi-bin/public')).toBe(true);
  });

  it('prefers the group naming our product token over *', () => {
    const text = 'User-agent: *\nDisallow: /\n\nUser-agent: chiiki-portal-crawler\nDisallow: /private/\n';

    const policy = robotsPolicy(robotsUrl, ua, { status: 200, text });

    if (policy.kind !== 'rules') throw new Error('expected rules');
    expect(policy.isAllowed('https://www.example.go.jp/press/')).toBe(true);
    expect(policy.isAllowed('https://www.example.go.jp/private/x')).toBe(false);
  });

  it('reads Crawl-delay', () => {
    const policy = robotsPolicy(robotsUrl, ua, { status: 200, text: 'User-agent: *\nCrawl-delay: 5\n' });

    expect(policy).toMatchObject({ kind: 'rules', crawlDelaySec: 5 });
  });

  it.each([404, 410, 401, 403])('allows everything when robots.txt answers %i (RFC 9309 unavailable)', (status) => {
    expect(robotsPolicy(robotsUrl, ua, { status, text: 'Disallow: /' }).kind).toBe('allow-all');
  });

  it.each([500, 503, 429])('keeps off the host when robots.txt answers %i (RFC 9309 unreachable)', (status) => {
    expect(robotsPolicy(robotsUrl, ua, { status, text: '' })).toEqual({
      kind: 'unreachable',
      robotsUrl,
      reason: `robots.txt answered HTTP ${status}`,
    });
  });

  it('keeps off the host when robots.txt cannot be fetched at all', () => {
    expect(robotsPolicy(robotsUrl, ua, { error: 'ECONNREFUSED' })).toMatchObject({
      kind: 'unreachable',
      reason: 'ECONNREFUSED',
    });
  });
});
