/**
 * Which names the sanitizer treats how: headers by class (cookies, credentials, secret-looking,
 * URL-valued, the rest), parameters by `isSecretParam`, and the user's `--keep` / `--redact`
 * names over both. Names compare case-insensitively (HTTP header names do; cookie and parameter
 * names usually differ by more than case).
 */
import { isSecretParam, URL_HEADERS } from '../redact.ts';

/** What happens to a header's value. */
export type HeaderAction =
  /** Left as it is (a name the user kept). */
  | 'keep'
  /** Cookie / Set-Cookie: each cookie value hashed, names and attributes kept. */
  | 'cookies'
  /** Authorization / Proxy-Authorization: the scheme kept, the credentials hashed. */
  | 'credentials'
  /** The whole value hashed (a secret-looking name, or one the user named). */
  | 'hash'
  /** A URL: secret parameters hashed (Location, Referer, Content-Location, Refresh). */
  | 'url'
  /** Left as it is, but for known secret values, JWT signatures and secret URL parameters in it. */
  | 'scan';

/** What happens to a cookie's or a parameter's value. */
export type ValueAction = 'keep' | 'hash' | 'scan';

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie']);

/** Words that make a header name secret-looking: `X-Api-Key`, `X-Auth-Token`, `X-CSRF-Token`. */
const SECRET_HEADER_WORDS = new Set([
  'token',
  'secret',
  'apikey',
  'password',
  'passwd',
  'session',
  'sessionid',
  'signature',
  'credential',
  'credentials',
  'csrf',
  'xsrf',
  'jwt',
  'auth',
  'otp',
]);

/** A header whose value is a credential by its name (pseudo-headers such as `:authority` never are). */
export function isSecretHeader(name: string): boolean {
  const lower = name.trim().toLowerCase();
  if (lower.startsWith(':')) return false;
  if (CREDENTIAL_HEADERS.has(lower) || COOKIE_HEADERS.has(lower)) return true;
  const words = lower.split(/[-_.]+/);
  if (words.some((w) => SECRET_HEADER_WORDS.has(w))) return true;
  return words.some((w, i) => w === 'api' && (words[i + 1] === 'key' || words[i + 1] === 'token'));
}

export interface NameChoices {
  /** Header, cookie and parameter names left as they are. */
  keep?: Iterable<string>;
  /** Header, cookie and parameter names whose values are hashed too. */
  redact?: Iterable<string>;
}

export class NamePolicy {
  readonly keep: ReadonlySet<string>;
  readonly redact: ReadonlySet<string>;

  constructor(choices: NameChoices = {}) {
    this.keep = new Set([...(choices.keep ?? [])].map((n) => n.trim().toLowerCase()).filter(Boolean));
    this.redact = new Set([...(choices.redact ?? [])].map((n) => n.trim().toLowerCase()).filter(Boolean));
  }

  /** Names given both to keep and to redact; a caller reports them as a usage error. */
  conflicts(): string[] {
    return [...this.keep].filter((n) => this.redact.has(n));
  }

  isKept(name: string): boolean {
    if (this.keep.size === 0) return false;
    return this.keep.has(decodedName(name).trim().toLowerCase());
  }

  header(name: string): HeaderAction {
    const lower = name.trim().toLowerCase();
    if (this.keep.has(lower)) return 'keep';
    if (COOKIE_HEADERS.has(lower)) return 'cookies';
    if (CREDENTIAL_HEADERS.has(lower)) return 'credentials';
    if (this.redact.has(lower) || isSecretHeader(lower)) return 'hash';
    if (URL_HEADERS.has(lower)) return 'url';
    return 'scan';
  }

  cookie(name: string): ValueAction {
    return this.keep.has(name.trim().toLowerCase()) ? 'keep' : 'hash';
  }

  /** A query, fragment, form or JSON parameter, by its raw (maybe percent-encoded) name. */
  param(name: string): ValueAction {
    const lower = decodedName(name).trim().toLowerCase();
    if (this.keep.has(lower)) return 'keep';
    if (this.redact.has(lower) || isSecretParam(name)) return 'hash';
    return 'scan';
  }
}

function decodedName(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
