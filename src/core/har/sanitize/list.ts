/**
 * The names a HAR holds (`hopscope sanitize --list`): header, cookie, query and form parameter
 * names with how often each occurs and what the sanitizer does with it, so a user can choose
 * what to `--keep` and what to `--redact` among the names actually there.
 *
 * Counting: a header at each occurrence; a cookie once per request or response that carries it
 * (in its `cookies` array or its Cookie / Set-Cookie headers); a query parameter from
 * `queryString`, or from the URL when that is empty; a form parameter from `postData.params`, or
 * from a form-encoded `text`.
 */
import type { NamePolicy } from './names.ts';

export type NameKind = 'header' | 'cookie' | 'query' | 'form';

export interface NameCount {
  kind: NameKind;
  name: string;
  count: number;
  /** What the sanitizer does with its values: `hash`, `keep`, `url` (secret parameters in it hashed), `-` (unchanged). */
  action: 'hash' | 'keep' | 'url' | '-';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const item of list) if (isObject(item) && typeof item.name === 'string') out.push(item.name);
  return out;
}

function headerValues(headers: unknown, name: string): string[] {
  if (!Array.isArray(headers)) return [];
  const out: string[] = [];
  for (const h of headers) {
    if (isObject(h) && typeof h.name === 'string' && typeof h.value === 'string' && h.name.toLowerCase() === name) {
      out.push(h.value);
    }
  }
  return out;
}

function cookieNamesOfHeader(value: string, set: boolean): string[] {
  const pairs = set ? value.split('\n').map((line) => line.split(';', 1)[0] ?? '') : value.split(';');
  const out: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) out.push(pair.slice(0, eq).trim());
  }
  return out;
}

function pairNames(text: string): string[] {
  const out: string[] = [];
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const raw = eq < 0 ? pair : pair.slice(0, eq);
    if (!raw) continue;
    try {
      out.push(decodeURIComponent(raw.replace(/\+/g, ' ')));
    } catch {
      out.push(raw);
    }
  }
  return out;
}

function queryOf(url: unknown): string {
  if (typeof url !== 'string') return '';
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

export class NameInventory {
  private readonly counts = new Map<string, { kind: NameKind; name: string; count: number }>();
  entries = 0;

  private bump(kind: NameKind, name: string): void {
    const key = `${kind}\u0000${kind === 'header' ? name.toLowerCase() : name}`;
    const row = this.counts.get(key);
    if (row) row.count++;
    else this.counts.set(key, { kind, name: kind === 'header' ? name.toLowerCase() : name, count: 1 });
  }

  add(entry: unknown): void {
    this.entries++;
    if (!isObject(entry)) return;
    const request = isObject(entry.request) ? entry.request : undefined;
    const response = isObject(entry.response) ? entry.response : undefined;
    for (const [message, cookieHeader] of [
      [request, 'cookie'],
      [response, 'set-cookie'],
    ] as const) {
      if (!message) continue;
      for (const name of names(message.headers)) this.bump('header', name);
      const cookies = new Set([
        ...names(message.cookies),
        ...headerValues(message.headers, cookieHeader).flatMap((v) =>
          cookieNamesOfHeader(v, cookieHeader === 'set-cookie'),
        ),
      ]);
      for (const name of cookies) this.bump('cookie', name);
    }
    if (!request) return;
    let query = names(request.queryString);
    if (!query.length) query = pairNames(queryOf(request.url));
    for (const name of query) this.bump('query', name);
    const post = isObject(request.postData) ? request.postData : undefined;
    if (post) {
      let form = names(post.params);
      const mime = typeof post.mimeType === 'string' ? post.mimeType.toLowerCase() : '';
      if (!form.length && typeof post.text === 'string' && mime.includes('x-www-form-urlencoded')) {
        form = pairNames(post.text);
      }
      for (const name of form) this.bump('form', name);
    }
  }

  /** Every name found, by kind (header, cookie, query, form), most frequent first, then by name. */
  rows(policy: NamePolicy): NameCount[] {
    const order: NameKind[] = ['header', 'cookie', 'query', 'form'];
    return [...this.counts.values()]
      .map((row) => ({ ...row, action: actionOf(row.kind, row.name, policy) }))
      .sort(
        (a, b) =>
          order.indexOf(a.kind) - order.indexOf(b.kind) ||
          b.count - a.count ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      );
  }
}

function actionOf(kind: NameKind, name: string, policy: NamePolicy): NameCount['action'] {
  if (kind === 'header') {
    const action = policy.header(name);
    if (action === 'keep') return 'keep';
    if (action === 'url') return 'url';
    return action === 'scan' ? '-' : 'hash';
  }
  const action = kind === 'cookie' ? policy.cookie(name) : policy.param(name);
  return action === 'scan' ? '-' : action;
}
