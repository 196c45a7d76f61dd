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
    decoded = decodeURIComponent(name);
  } catch {
    // keep the raw name
  }
  return SECRET_PARAM.test(decoded.trim());
}

function redactPairs(part: string): string {
  return part
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      return isSecretParam(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

/** A fragment holds parameters itself (`#access_token=…`) or after a hash route (`#/callback?code=…`). */
function redactFragment(fragment: string): string {
  const q = fragment.indexOf('?');
  if (q < 0) return redactPairs(fragment);
  return `${redactPairs(fragment.slice(0, q))}?${redactPairs(fragment.slice(q + 1))}`;
}

/**
 * Replaces the values of secret-looking parameters in the query and fragment, path parameters
 * such as `;jsessionid=`, and the password of `user:pass@`. Works on the raw text, so every
 * other byte of the URL stays as it was; relative URLs and non-URLs pass through safely.
 */
export function redactUrl(url: string): string {
  if (!url) return url;
  let rest = url;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = `#${redactFragment(rest.slice(hash + 1))}`;
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = `?${redactPairs(rest.slice(q + 1))}`;
    rest = rest.slice(0, q);
  }
  rest = rest.replace(/;(jsessionid|phpsessid|sid|sessionid)=[^/;]*/gi, `;$1=${REDACTED}`);
  rest = rest.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${REDACTED}@`);
  return rest + query + fragment;
}

/** A Refresh header is `5; url=...`: redact the URL part only. */
function redactHeaderUrl(name: string, value: string): string {
  if (name === 'refresh') {
    return value.replace(/(url\s*=\s*['"]?)([^'"]*)/i, (_m, pre: string, u: string) => pre + redactUrl(u));
  }
  return redactUrl(value);
}

export interface HeaderLike {
  name: string;
  value: string;
}

/** Drops credential headers and redacts URL-valued ones. */
export function sanitizeHeaders<T extends HeaderLike>(headers: readonly T[]): T[] {
  const out: T[] = [];
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if (SENSITIVE_HEADERS.has(name)) continue;
    out.push(URL_HEADERS.has(name) ? { ...h, value: redactHeaderUrl(name, h.value) } : h);
  }
  return out;
}
