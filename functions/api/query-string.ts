import type { MiddlewareObj } from '@middy/core';
import { InvalidInputError, type Issue } from '../../shared/errors.js';
import { headerOf, type HttpEvent, type HttpResult } from '../middleware/http-event.js';

/**
 * Strict reading of a query string. `URLSearchParams` turns `%FF` and overlong `%C0%AF` into U+FFFD,
 * keeps `%ZZ` as text and passes `%00` on as NUL, so a broken parameter would silently read as
 * some other value (or as none). Here every name and value must be well-formed percent-encoding
 * (`%` and two hex digits) of valid UTF-8 with no control character (C0, DEL, C1), or the request
 * is a 400 naming each bad parameter.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// eslint-disable-next-line no-control-regex
const controlChar = /[\u0000-\u001f\u007f-\u009f]/u;
const maxShownChars = 60;
const invalidUtf8 = 'not valid UTF-8 once percent-decoded; expected UTF-8 text';

/** Printable ASCII, what browsers and HTTP clients put on a request line. */
const printableAscii = /^[\x20-\x7e]*$/u;

/**
 * One raw name or value decoded, or what is wrong with it. Printable ASCII (every request that
 * came over HTTP) is decoded by `decodeURIComponent`, which refuses what the byte-by-byte path
 * below refuses (a `%` without two hex digits, bytes that are not UTF-8, overlong forms,
 * surrogates); anything it refuses, or a control character it decodes to, takes that path for
 * the precise message.
 */
function problemOf(raw: string): { decoded?: string; problem?: string } {
  if (printableAscii.test(raw)) {
    try {
      const decoded = decodeURIComponent(raw.includes('+') ? raw.replaceAll('+', ' ') : raw);
      if (!controlChar.test(decoded)) return { decoded };
    } catch {
      // Reported below.
    }
  }
  return problemOfBytes(raw);
}

function problemOfBytes(raw: string): { decoded?: string; problem?: string } {
  const badEscape = /%(?![0-9a-fA-F]{2})/.exec(raw);
  if (badEscape) {
    const shown = raw.slice(badEscape.index, badEscape.index + 3);
    return { problem: `invalid percent-encoding ${JSON.stringify(shown)}; expected % and two hex digits` };
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] ?? '';
    if (char === '%') {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (char === '+') bytes.push(0x20);
    else {
      // A raw character (hand-built events may hold non-ASCII): its own UTF-8 bytes, surrogate pairs kept together.
      const point = raw.codePointAt(i) ?? 0;
      if (point >= 0xd800 && point <= 0xdfff) return { problem: invalidUtf8 };
      if (point > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(point), 'utf8'));
    }
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Uint8Array.from(bytes));
  } catch {
    return { problem: invalidUtf8 };
  }
  if (controlChar.test(decoded)) return { problem: 'holds a control character (such as NUL); expected plain text' };
  return { decoded };
}

/**
 * The `[name, value]` pairs of a raw query string (repeats kept, `+` read as a space), decoded
 * strictly: throws `InvalidInputError` with one issue per bad parameter, its path `[name]` (the
 * name as sent, cut to 60 characters, when the name itself is the problem).
 *
 * @example decodeQueryString('q=%E3%82%AF&kind=call') // [['q', 'ク'], ['kind', 'call']]
 * @example decodeQueryString('q=%FF') // throws: q is not valid UTF-8
 */
export function decodeQueryString(raw: string): [string, string][] {
  const pairs: [string, string][] = [];
  const issues: Issue[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const rawName = at < 0 ? part : part.slice(0, at);
    const rawValue = at < 0 ? '' : part.slice(at + 1);
    const name = problemOf(rawName);
    if (name.decoded === undefined) {
      issues.push({
        path: [rawName.slice(0, maxShownChars)],
        message: `parameter name ${name.problem ?? 'is invalid'}`,
      });
      continue;
    }
    const value = problemOf(rawValue);
    if (value.decoded === undefined) {
      if (!issues.some((known) => known.path[0] === name.decoded))
        issues.push({
          path: [name.decoded.slice(0, maxShownChars)],
          message: `value ${value.problem ?? 'is invalid'}`,
        });
      continue;
    }
    pairs.push([name.decoded, value.decoded]);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return pairs;
}

/**
 * Checks already decoded parameters (API Gateway's `queryStringParameters`, when a hand-built event
 * has no raw string) for control characters; same issues as `decodeQueryString`.
 */
export function checkDecodedParameters(params: Readonly<Record<string, string | undefined>>): void {
  const issues: Issue[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (controlChar.test(name))
      issues.push({ path: [name.slice(0, maxShownChars)], message: 'parameter name holds a control character' });
    else if (value !== undefined && controlChar.test(value))
      issues.push({ path: [name.slice(0, maxShownChars)], message: 'value holds a control character (such as NUL)' });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/**
 * A middleware that reads every request's query string (and a form body, `application/x-www-form-urlencoded`)
 * strictly before any route runs, so each text parameter of every route (search, feeds, export,
 * subscription tokens and forms) gets the same 400. Place it inside `httpErrors`, which maps the error.
 */
export function strictParameters(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: 'strictParameters',
    before: (request) => {
      const event = request.event;
      if (event.rawQueryString !== undefined) decodeQueryString(event.rawQueryString);
      else if (event.queryStringParameters) checkDecodedParameters(event.queryStringParameters);
      if (
        event.body &&
        (headerOf(event, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
      ) {
        const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
        decodeQueryString(text.trim());
      }
    },
  };
}
