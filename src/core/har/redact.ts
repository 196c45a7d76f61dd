/**
 * Redaction of secrets in URLs and headers, for exports that leave the browser.
 * OAuth/OIDC codes and tokens travel in query strings and fragments of redirects
 * (RFC 6749 §4.1.2, §4.2.2), so a redirect log is full of them.
 */

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

const DEFAULT_REDACTION: Redaction = { isSecret: isSecretParam, replace: () => REDACTED };

/** `a=1&code=2` with the values of secret names replaced; pairs without `=` stay as they are. */
export function redactPairs(part: string, how: Redaction = DEFAULT_REDACTION): string {
  return part
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      return how.isSecret(name) ? `${name}=${how.replace(pair.slice(eq + 1), name)}` : pair;
    })
    .join('&');
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

/**
 * `sanitizeHeaders` for many messages (an export): what each header name asks for is worked out
 * once, as the same names come back on most hops; `redact` may remember the URLs it redacted.
 */
export function headerSanitizer(
  redact: (url: string) => string = redactUrl,
): <T extends HeaderLike>(headers: readonly T[]) => T[] {
  const actions = new Map<string, 'drop' | 'url' | 'refresh' | 'keep'>();
  return <T extends HeaderLike>(headers: readonly T[]): T[] => {
    const out: T[] = [];
    for (const h of headers) {
      let action = actions.get(h.name);
      if (action === undefined) {
        const name = h.name.toLowerCase();
        if (SENSITIVE_HEADERS.has(name)) action = 'drop';
        else if (URL_HEADERS.has(name)) action = name === 'refresh' ? 'refresh' : 'url';
        else action = 'keep';
        actions.set(h.name, action);
      }
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
