/**
 * Any other tool's HAR: no field links the hops of one request, so entries are linked by
 * redirect target, each target looked up among the later entries. What real files throw at
 * this (see tests/fixtures/hars/INDEX.md): a `redirectURL` that is empty, relative, resolved or
 * percent-decoded while `Location` is not; protocol-relative and upper-case-scheme targets; a
 * missing trailing slash; URLs visited twice in one chain; chains cut off by the tool; unsorted
 * entries.
 */
import type { Chain, ChainOutcome, Hop } from '../../model/chain.ts';
import { isRedirectStatus, isTooManyRedirects } from '../../model/http.ts';
import { parseUrl } from '../../model/url.ts';
import { resourceTypeFromHar } from '../../present/resource-types.ts';
import { NOT_IN_HAR } from './own.ts';
import { errorTextOf, hopOf, initiatorOrigin, type Rec } from './parse.ts';
import { UrlIndex } from './url-index.ts';

interface UrlKeys {
  /** The URL as a browser requests it: scheme and host lower-cased, default port and fragment dropped, empty path '/'. */
  exact: string;
  /** Percent-decoded and without a trailing slash: Splash writes `redirectURL` decoded while `Location` is not. */
  loose: string;
}

interface Target extends UrlKeys {
  /** Absolute URL. */
  url: string;
}

function keysOf(u: URL): UrlKeys {
  u.hash = '';
  const path = safeDecode(u.pathname).replace(/\/+$/, '');
  return { exact: u.href, loose: `${u.protocol}//${u.host}${path}${safeDecode(u.search)}` };
}

/** Keys of an entry's URL; text that is no URL is compared as it is. */
function urlKeys(url: string): UrlKeys {
  try {
    return keysOf(new URL(url));
  } catch {
    const exact = url.split('#', 1)[0] ?? url;
    return { exact, loose: safeDecode(exact).replace(/\/+$/, '') };
  }
}

function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Where a redirect leads, absolute: `redirectURL`, then `Location` when it differs. */
function targetsOf(rec: Rec): Target[] {
  if (rec.targets) return rec.targets;
  const out: Target[] = [];
  const base = rec.entry.request.url;
  // The Location as written, not the bounded copy kept on the hop: a long target must not be cut.
  const location = rec.entry.response.headers.find((h) => h?.name.toLowerCase() === 'location')?.value;
  for (const value of [rec.entry.response.redirectURL, location]) {
    const v = value?.trim();
    if (!v) continue;
    let u: URL;
    try {
      u = new URL(v, base);
    } catch {
      continue;
    }
    const url = u.href;
    if (out.some((t) => t.url === url)) continue;
    out.push({ url, ...keysOf(u) });
  }
  rec.targets = out;
  return out;
}

/** A redirect the browser would follow: a redirect status with a target it can resolve. */
function isRedirect(rec: Rec): boolean {
  return isRedirectStatus(rec.entry.response.status) && targetsOf(rec).length > 0;
}

export function linkChains(recs: readonly Rec[]): Chain[] {
  // Array.prototype.sort is stable: equal times keep file order.
  const order = [...recs].sort((a, b) => a.key - b.key);
  const keys = order.map((r) => urlKeys(r.entry.request.url));
  const exact = new UrlIndex(keys.map((k) => k.exact));
  const loose = new UrlIndex(keys.map((k) => k.loose));
  const claimed = new Uint8Array(order.length);
  const claim = (p: number) => {
    claimed[p] = 1;
    exact.claim(p);
    loose.claim(p);
  };
  /** The later entry a redirect leads to: each target exactly first, then loosely. */
  const follow = (p: number): { next: number; target: string } | undefined => {
    const targets = targetsOf(order[p] as Rec);
    for (const t of targets) {
      const next = exact.firstAfter(t.exact, p);
      if (next >= 0) return { next, target: t.url };
    }
    for (const t of targets) {
      const next = loose.firstAfter(t.loose, p);
      if (next >= 0) return { next, target: t.url };
    }
    return undefined;
  };

  const chains: Chain[] = [];
  for (let p = 0; p < order.length; p++) {
    if (claimed[p] || !isRedirect(order[p] as Rec)) continue;
    claim(p);
    const members: Array<{ rec: Rec; target: string; key: string }> = [];
    let cur = p;
    let cutOff = false;
    for (;;) {
      const rec = order[cur] as Rec;
      const key = (keys[cur] as UrlKeys).exact;
      if (!isRedirect(rec)) {
        members.push({ rec, target: '', key });
        break;
      }
      const step = follow(cur);
      if (!step) {
        members.push({ rec, target: (targetsOf(rec)[0] as Target).url, key });
        cutOff = true;
        break;
      }
      members.push({ rec, target: step.target, key });
      claim(step.next);
      cur = step.next;
    }
    chains.push(linkedChain(`import:${chains.length + 1}`, members, cutOff));
  }
  return chains;
}

function linkedChain(
  id: string,
  members: ReadonlyArray<{ rec: Rec; target: string; key: string }>,
  cutOff: boolean,
): Chain {
  const hops = members.map(({ rec, target }) => {
    const hop = hopOf(rec, target);
    // As the browser sent it: some tools (Splash) write URLs percent-decoded, with spaces.
    hop.url = parseUrl(hop.url)?.href ?? hop.url;
    return hop;
  });
  const last = members.at(-1)?.rec as Rec;
  const lastHop = hops.at(-1) as Hop;
  const error = errorTextOf(last.entry);
  let outcome: ChainOutcome;
  if (cutOff) {
    outcome = isTooManyRedirects(error)
      ? { state: 'error', error, tooManyRedirects: true }
      : { state: 'error', error: error || NOT_IN_HAR };
  } else if (error || lastHop.statusCode === 0) {
    if (error) lastHop.error = error;
    outcome = { state: 'error', error: error || 'no response' };
  } else {
    outcome = { state: 'completed', statusCode: lastHop.statusCode };
  }
  const firstEntry = members[0]?.rec.entry;
  const requestId = firstEntry?._requestId;
  const chain: Chain = {
    id,
    requestId: requestId === undefined ? '' : String(requestId),
    tabId: -1,
    frameId: 0,
    type: resourceTypeFromHar(firstEntry?._resourceType),
    startTime: hops[0]?.startTime ?? 0,
    endTime: lastHop.endTime,
    hops,
    outcome,
  };
  const initiator = initiatorOrigin(firstEntry);
  if (initiator) chain.initiator = initiator;
  return chain;
}
