/**
 * The sanitizer for any HAR (`hopscope sanitize`, the panel's "hashed" export): what the export
 * removes (cookies, credentials, secret-looking parameters) is kept correlatable instead. Each
 * secret value becomes `REDACTED:` and a short keyed hash of it, so the same value gives the
 * same hash everywhere in one file (a session cookie can be followed from Set-Cookie to every
 * request that sends it), while a random key per run keeps anyone from finding a value by
 * hashing guesses or comparing files. Signed JWTs keep their header and claims, SAML messages
 * their assertions, each without the signature that made it usable.
 *
 * Two passes, entry by entry, so a file of any size streams (src/cli/sanitize.ts): `collect`
 * remembers every secret value found where secrets are (headers, cookies, parameters), then
 * `entry` replaces them there and wherever else they appear (a token in the body that handed it
 * out, an error message), along with JWTs and secret URL parameters in any text.
 *
 * Entries are untrusted: nothing recurses on them (objects are walked with an explicit stack),
 * strings stay strings.
 */
import { HarImportError } from './import/parse.ts';
import { type Redaction, redactHeaderUrl, redactPairs, redactUrl } from './redact.ts';
import { replaceJsonValues, replaceMultipartValues } from './sanitize/json-text.ts';
import { type NameChoices, NamePolicy } from './sanitize/names.ts';
import { MIN_SECRET_LENGTH, SecretScanner } from './sanitize/scan.ts';
import { hmacSha256Hex } from './sanitize/sha256.ts';
import { JWT_IN_TEXT, jwtWithoutSignature, samlWithoutSignature } from './sanitize/tokens.ts';

export { type NameCount, NameInventory, type NameKind } from './sanitize/list.ts';
export { type HeaderAction, isSecretHeader, type NameChoices, NamePolicy, type ValueAction } from './sanitize/names.ts';

/** What a hashed value starts with: `REDACTED:3f9a0c17d2e4`. */
export const HASH_PREFIX = 'REDACTED:';
/** Hex digits of the keyed hash kept (48 bits: no two values of one file meet by chance). */
export const HASH_LENGTH = 12;

export const SANITIZED_COMMENT =
  'Sanitized by Hopscope: cookie, credential and token values replaced by REDACTED: and a keyed hash (the same value has the same hash within this file only), JWT and SAML signatures removed, secret URL parameters hashed.';

export interface SanitizerOptions extends NameChoices {
  /**
   * A keyed hash of a value, as hex (HMAC-SHA-256 with a random key per run: `keyedHash`);
   * its first `HASH_LENGTH` digits are used.
   */
  hash(value: string): string;
}

/** HMAC-SHA-256 under `key` (pure; the CLI uses node:crypto's, which gives the same digests). */
export function keyedHash(key: Uint8Array): (value: string) => string {
  return (value) => hmacSha256Hex(key, value);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: unknown, key: string): Json | undefined {
  const value = isObject(parent) ? parent[key] : undefined;
  return isObject(value) ? value : undefined;
}

function listAt(parent: unknown, key: string): unknown[] {
  const value = isObject(parent) ? parent[key] : undefined;
  return Array.isArray(value) ? value : [];
}

/** `{ name: string, value: string }` items of a list (headers, cookies, queryString, params). */
function* pairs(list: unknown[]): Generator<Json & { name: string; value: string }> {
  for (const item of list) {
    if (isObject(item) && typeof item.name === 'string' && typeof item.value === 'string') {
      yield item as Json & { name: string; value: string };
    }
  }
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Worth looking for in free text: long enough, no spaces, not a URL. */
function tokenLike(value: string): boolean {
  return (
    value.length >= MIN_SECRET_LENGTH &&
    !/\s/.test(value) &&
    (/\d/.test(value) || value.length >= 12) &&
    !/^(https?|wss?)(:|%3a)/i.test(value) &&
    !value.startsWith('REDACTED')
  );
}

/** A URL in free text, without the punctuation that usually follows one in a sentence. */
const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>`\\]+/gi;

const MAX_CACHED_HASHES = 100_000;

export class HarSanitizer {
  readonly policy: NamePolicy;
  /** Values replaced so far (pass 2). */
  replaced = 0;
  private readonly scanner = new SecretScanner();
  private readonly cache = new Map<string, string>();
  private collecting = true;
  private readonly redaction: Redaction;

  constructor(private readonly options: SanitizerOptions) {
    this.policy = new NamePolicy(options);
    this.redaction = {
      isSecret: (name) => this.policy.param(name) === 'hash',
      replace: (value, name) => this.secret(value, name),
    };
  }

  /** Pass 1: remembers the secret values of one entry (the entry is left as it is). */
  collect(entry: unknown): void {
    if (!this.collecting) throw new Error('HarSanitizer: collect() after the first entry()');
    this.structural(entry);
  }

  /** Pass 2: sanitizes one entry in place and returns it. */
  entry(entry: unknown): unknown {
    this.collecting = false;
    this.structural(entry);
    return this.text(entry);
  }

  /** Any other part of the file (pages, creator, top-level fields): secrets in its text. */
  other(value: unknown): unknown {
    this.collecting = false;
    return this.text(value);
  }

  /** The file's `log.comment` once sanitized (pass the original, or undefined when it had none). */
  comment(original: unknown): string {
    const text = typeof original === 'string' ? (this.other(original) as string).trim() : '';
    if (!text || /^(Sanitized|Exported) by Hopscope\b/.test(text)) return SANITIZED_COMMENT;
    return `${text}\n${SANITIZED_COMMENT}`;
  }

  // ——— Values ———

  private hashed(value: string): string {
    const key = safeDecode(value);
    let out = this.cache.get(key);
    if (out === undefined) {
      out = HASH_PREFIX + this.options.hash(key).slice(0, HASH_LENGTH);
      if (this.cache.size >= MAX_CACHED_HASHES) this.cache.clear();
      this.cache.set(key, out);
    }
    return out;
  }

  private remember(value: string): void {
    if (tokenLike(value)) this.scanner.add(value);
    const decoded = safeDecode(value);
    if (decoded !== value && tokenLike(decoded)) this.scanner.add(decoded);
  }

  /** A secret value's replacement: a JWT or SAML message without its signature, else its hash. */
  private replacement(value: string, name: string): string {
    if (!value || value.startsWith('REDACTED')) return value;
    let out = jwtWithoutSignature(value) ?? jwtWithoutSignature(safeDecode(value));
    if (out === undefined && /^saml(response|request)$/i.test(safeDecode(name))) out = samlWithoutSignature(value);
    return out ?? this.hashed(value);
  }

  /** Pass 1: remembers a secret value (unless it is sanitized already); pass 2: its replacement. */
  private secret(value: string, name = ''): string {
    const out = this.replacement(value, name);
    if (this.collecting) {
      if (out !== value) this.remember(value);
      return value;
    }
    if (out !== value) this.replaced++;
    return out;
  }

  // ——— Where secrets are, by name ———

  private structural(entry: unknown): void {
    const request = objectAt(entry, 'request');
    const response = objectAt(entry, 'response');
    for (const message of [request, response]) {
      if (!message) continue;
      for (const header of pairs(listAt(message, 'headers'))) header.value = this.header(header.name, header.value);
      for (const cookie of pairs(listAt(message, 'cookies'))) {
        if (this.policy.cookie(cookie.name) === 'hash') cookie.value = this.secret(cookie.value, cookie.name);
      }
    }
    if (request) {
      if (typeof request.url === 'string') request.url = redactUrl(request.url, this.redaction);
      for (const param of pairs(listAt(request, 'queryString'))) this.param(param);
      const post = objectAt(request, 'postData');
      if (post) {
        for (const param of pairs(listAt(post, 'params'))) this.param(param);
        if (typeof post.text === 'string') post.text = this.body(post.text, post.mimeType, true);
      }
    }
    if (response) {
      if (typeof response.redirectURL === 'string') {
        response.redirectURL = redactUrl(response.redirectURL, this.redaction);
      }
      const content = objectAt(response, 'content');
      if (content && typeof content.text === 'string' && content.encoding !== 'base64') {
        content.text = this.body(content.text, content.mimeType, false);
      }
    }
  }

  private param(param: { name: string; value: string }): void {
    if (this.policy.param(param.name) === 'hash') param.value = this.secret(param.value, param.name);
  }

  private header(name: string, value: string): string {
    switch (this.policy.header(name)) {
      case 'cookies':
        return name.trim().toLowerCase() === 'cookie' ? this.cookieHeader(value) : this.setCookieHeader(value);
      case 'credentials': {
        // `Bearer <token>`, `Basic <base64>`, `Digest username=…`: the scheme stays.
        const m = /^(\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s+)(\S[\s\S]*)$/.exec(value);
        return m ? `${m[1]}${this.secret(m[2] as string, name)}` : this.secret(value, name);
      }
      case 'hash':
        return this.secret(value, name);
      case 'url':
        return redactHeaderUrl(name, value, this.redaction);
      default:
        return value;
    }
  }

  /** `Cookie: a=1; b=2`: each value hashed, names and separators kept. */
  private cookieHeader(value: string): string {
    return value
      .split(';')
      .map((pair) => this.cookiePair(pair))
      .join(';');
  }

  /** `Set-Cookie: a=1; Path=/; HttpOnly` (several joined by newlines): the value hashed, attributes kept. */
  private setCookieHeader(value: string): string {
    return value
      .split('\n')
      .map((line) => {
        const semi = line.indexOf(';');
        return semi < 0 ? this.cookiePair(line) : this.cookiePair(line.slice(0, semi)) + line.slice(semi);
      })
      .join('\n');
  }

  private cookiePair(pair: string): string {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const name = pair.slice(0, eq).trim();
    if (this.policy.cookie(name) === 'keep') return pair;
    const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(pair.slice(eq + 1)) as RegExpExecArray;
    return `${pair.slice(0, eq + 1)}${m[1]}${this.secret(m[2] as string, name)}${m[3]}`;
  }

  /** A request or response body kept as text: form, JSON and multipart values by name. */
  private body(text: string, mimeType: unknown, isRequest: boolean): string {
    const mime = typeof mimeType === 'string' ? mimeType.toLowerCase() : '';
    const isSecret = (name: string) => this.policy.param(name) === 'hash';
    const replace = (value: string, name: string) => this.secret(value, name);
    if (mime.includes('x-www-form-urlencoded') || (isRequest && !mime && /^[^\s=&]+=[^\s]*$/.test(text))) {
      return redactPairs(text, this.redaction);
    }
    if (mime.includes('json') || /^\s*[[{]/.test(text)) return replaceJsonValues(text, isSecret, replace);
    if (mime.includes('multipart')) return replaceMultipartValues(text, isSecret, replace);
    return text;
  }

  // ——— Anywhere else: free text ———

  /** Every string in `value`, in place (no recursion), but `{ name, value }` items of kept names. */
  private text(value: unknown): unknown {
    if (typeof value === 'string') return this.scrub(value);
    const stack: unknown[] = [value];
    while (stack.length) {
      const node = stack.pop();
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const item = node[i];
          if (typeof item === 'string') node[i] = this.scrub(item);
          else if (typeof item === 'object' && item !== null) stack.push(item);
        }
      } else if (isObject(node)) {
        if (typeof node.name === 'string' && typeof node.value === 'string' && this.policy.isKept(node.name)) continue;
        for (const key of Object.keys(node)) {
          const item = node[key];
          if (typeof item === 'string') node[key] = this.scrub(item);
          else if (typeof item === 'object' && item !== null) stack.push(item);
        }
      }
    }
    return value;
  }

  /** Secret URL parameters, JWT signatures and every known secret value in a text. */
  private scrub(text: string): string {
    if (text.length < MIN_SECRET_LENGTH) return text;
    let out = text;
    if (out.includes('://')) {
      out = out.replace(URL_IN_TEXT, (match) => {
        const url = match.replace(/[.,;:!?)\]}]+$/, '');
        return redactUrl(url, this.redaction) + match.slice(url.length);
      });
    }
    if (/eyJ|eyA|ewo/.test(out)) out = out.replace(JWT_IN_TEXT, (jwt) => this.secret(jwt));
    return this.scanner.replace(out, (found) => this.secret(found));
  }
}

/** The `log.entries` of a document that is a HAR; throws `HarImportError` (as the import does) if not. */
export function harEntries(doc: unknown, subject = 'This file'): unknown[] {
  const log = objectAt(doc, 'log');
  if (!isObject(doc) || !log) {
    throw new HarImportError(`${subject} is JSON but not a HAR: it has no "log" object with an entries array.`);
  }
  if (!Array.isArray(log.entries))
    throw new HarImportError(`${subject} is JSON but not a HAR: it has no log.entries array.`);
  return log.entries;
}

/**
 * A whole HAR document sanitized in memory (the panel's export; the CLI streams the same steps).
 * The input is not changed. Members keep their order; `log.comment` says what was done.
 */
export function sanitizeHar(doc: unknown, options: SanitizerOptions): { log: Json } & Json {
  harEntries(doc);
  const copy = JSON.parse(JSON.stringify(doc)) as { log: Json } & Json;
  const sanitizer = new HarSanitizer(options);
  for (const entry of copy.log.entries as unknown[]) sanitizer.collect(entry);
  const out: Json = {};
  for (const [key, value] of Object.entries(copy)) {
    if (key !== 'log') {
      out[key] = sanitizer.other(value);
      continue;
    }
    const log: Json = {};
    for (const [name, member] of Object.entries(copy.log)) {
      if (name === 'entries') log.entries = (member as unknown[]).map((e) => sanitizer.entry(e));
      else if (name === 'comment') log.comment = sanitizer.comment(member);
      else log[name] = sanitizer.other(member);
    }
    if (!('comment' in log)) log.comment = sanitizer.comment(undefined);
    out.log = log;
  }
  return out as { log: Json } & Json;
}
