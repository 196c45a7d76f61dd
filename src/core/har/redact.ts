/**
 * Redaction of secrets in URLs and headers, for exports that leave the browser.
 * OAuth/OIDC codes and tokens travel in query strings and fragments of redirects
 * (RFC 6749 §4.1.2, §4.2.2), so a redirect log is full of them.
 */

import { forEachPair, memoized } from './uri.ts';

export const REDACTED = 'REDACTED';

const SECRET_PARAM =
  /^(code|access_token|id_token|refresh_token|token|[a-z0-9]*[_-]token|client_secret|secret|password|passwd|pwd|pass|api[_-]?key|apikey|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|session|sessionid|session_id|sid|jsessionid|phpsessid|auth|authorization|samlresponse|samlrequest|relaystate|ticket|otp|nonce)$/i;

/** Headers that carry credentials; dropped from sanitized exports, like Chrome's HAR export. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
]);

/** Headers whose value is a URL that may carry secrets in its query. */
export const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'referer', 'content-location', 'refresh']);

export function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    if (name.includes('%')) decoded = decodeURIComponent(name);
  } catch {
    // keep the raw name
  }
  return SECRET_PARAM.test(decoded.trim());
}

/**
 * How secret values are found and replaced. The export's default: the names `isSecretParam`
 * knows, each value replaced by `REDACTED`. The sanitizer (`sanitize.ts`) passes its own: names
 * the user kept or added, values replaced by a keyed hash.
 */
export interface Redaction {
  /** Whether the value of a parameter with this (raw, possibly percent-encoded) name is secret. */
  isSecret(name: string): boolean;
  /** What replaces a secret value (raw text as in the URL); `name` is the parameter's raw name. */
  replace(value: string, name: string): string;
}

/** `isSecretParam` of names seen before: a log repeats a few parameter names over and over. */
const isSecretName = memoized(isSecretParam, 1024);

const DEFAULT_REDACTION: Redaction = { isSecret: isSecretName, replace: () => REDACTED };

/** `a=1&code=2` with the values of secret names replaced; pairs without `=` stay as they are. */
export function redactPairs(part: string, how: Redaction = DEFAULT_REDACTION): string {
  // Pair by pair in place: the text is copied only from the first secret on (most have none).
  let out: string | undefined;
  let copied = 0;
  forEachPair(part, 0, part.length, (start, eq, end) => {
    if (eq < 0) return;
    const name = part.slice(start, eq);
    if (!how.isSecret(name)) return;
    out = `${out ?? ''}${part.slice(copied, eq + 1)}${how.replace(part.slice(eq + 1, end), name)}`;
    copied = end;
  });
  return out === undefined ? part : out + part.slice(copied);
}

/** A fragment holds parameters itself (`#access_token=…`) or after a hash route (`#/callback?code=…`). */
function redactFragment(fragment: string, how: Redaction): string {
  const q = fragment.indexOf('?');
  if (q < 0) return redactPairs(fragment, how);
  return `${redactPairs(fragment.slice(0, q), how)}?${redactPairs(fragment.slice(q + 1), how)}`;
}

/**
 * Replaces the values of secret-looking parameters in the query and fragment, path parameters
 * such as `;jsessionid=`, and the password of `user:pass@`. Works on the raw text, so every
 * other byte of the URL stays as it was; relative URLs and non-URLs pass through safely.
 * `how` changes which names are secret and what replaces their values (default: `REDACTED`).
 */
export function redactUrl(url: string, how: Redaction = DEFAULT_REDACTION): string {
  if (!url) return url;
  let rest = url;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = `#${redactFragment(rest.slice(hash + 1), how)}`;
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = `?${redactPairs(rest.slice(q + 1), how)}`;
    rest = rest.slice(0, q);
  }
  // Most URLs have neither path parameters nor a user: no pattern to run over them.
  if (rest.includes(';')) {
    rest = rest.replace(/;(jsessionid|phpsessid|sid|sessionid)=([^/;?#]*)/gi, (_m, name: string, value: string) =>
      how.isSecret(name) ? `;${name}=${how.replace(value, name)}` : `;${name}=${value}`,
    );
  }
  if (rest.includes('@')) {
    rest = rest.replace(
      /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):([^/@]*)@/i,
      (_m, user: string, password: string) => `${user}:${how.replace(password, 'password')}@`,
    );
  }
  return rest + query + fragment;
}

/** A URL-valued header (`URL_HEADERS`): a Refresh header is `5; url=...`, only its URL part is redacted. */
export function redactHeaderUrl(name: string, value: string, how: Redaction = DEFAULT_REDACTION): string {
  if (name.toLowerCase() === 'refresh') {
    return value.replace(/(url\s*=\s*['"]?)([^'"]*)/i, (_m, pre: string, u: string) => pre + redactUrl(u, how));
  }
  return redactUrl(value, how);
}

export interface HeaderLike {
  name: string;
  value: string;
}

type HeaderAction = 'drop' | 'url' | 'refresh' | 'keep';

/** The lengths of the names a sanitized export acts on: a name of another length is kept as it is. */
const ACTED_ON_LENGTHS: ReadonlySet<number> = new Set([...SENSITIVE_HEADERS, ...URL_HEADERS].map((n) => n.length));

/**
 * What a sanitized export does with a header of this name. Most names (Host, Accept-Language,
 * Content-Type, …) are kept on their length alone, without lower-casing or hashing them.
 */
export function headerAction(name: string): HeaderAction {
  if (!ACTED_ON_LENGTHS.has(name.length)) return 'keep';
  const lower = name.toLowerCase();
  if (SENSITIVE_HEADERS.has(lower)) return 'drop';
  if (URL_HEADERS.has(lower)) return lower === 'refresh' ? 'refresh' : 'url';
  return 'keep';
}

/**
 * `sanitizeHeaders` for many messages (an export): `redact` may remember the URLs it redacted,
 * as the same URL-valued headers (Referer) come back on most hops.
 */
export function headerSanitizer(
  redact: (url: string) => string = redactUrl,
): <T extends HeaderLike>(headers: readonly T[]) => T[] {
  return <T extends HeaderLike>(headers: readonly T[]): T[] => {
    const out: T[] = [];
    for (const h of headers) {
      const action = headerAction(h.name);
      if (action === 'keep') out.push(h);
      else if (action === 'refresh') out.push({ ...h, value: redactHeaderUrl('refresh', h.value) });
      else if (action === 'url') out.push({ ...h, value: redact(h.value) });
    }
    return out;
  };
}

/** Drops credential headers and redacts URL-valued ones. */
export function sanitizeHeaders<T extends HeaderLike>(headers: readonly T[]): T[] {
  return headerSanitizer()(headers);
}
