/**
 * One hop in plain words: a headline and the points worth knowing (status, method change,
 * where the redirect goes, loops, caching), each claim with the spec that says so.
 */
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../analyze/types.ts';
import { MAX_REDIRECTS } from '../../model/http.ts';
import { durationLabel } from '../duration.ts';
import { browserLabel, clientLabel, loopBrowser, targetLabel } from '../labels.ts';
import { lowerFirst, printable, upperFirst } from '../text.ts';
import { describeNetError } from './net-errors.ts';
import { statusName, statusPoint } from './status.ts';
import { crossOriginPoints, downgradePoint, locationPoint, upgradePoint } from './target.ts';

export interface Explanation {
  /** One line: what happened. */
  headline: string;
  /** The details worth knowing, one or two sentences each. */
  points: string[];
}

/** Where the hop redirects, relative when it stays on the origin, safe to print. */
function shortTarget(hop: Hop): string {
  return printable(targetLabel(hop.url, hop.redirectUrl));
}

/**
 * How the recording browser told extensions of its HSTS upgrade: the evidence, which differs.
 * Firefox's webRequest reports a redirect with status 0, no status line and no headers; the
 * Firefox adapter turns it into the 307 DevTools shows.
 */
export function hstsEvidence(
  chain: Pick<Chain, 'browser'>,
  hop: Pick<Hop, 'statusCode' | 'statusText' | 'inferred'>,
): string {
  if (hop.inferred) {
    return `${upperFirst(browserLabel(chain.browser))} did not tell extensions of this hop: the redirect to http:// was followed straight at https:// by the same request. Hopscope inferred it and shows it as the 307 "Internal Redirect" the browser reports for an HSTS upgrade at the start of a navigation; DevTools shows it as a copy of the redirect before it (that status again, no remote address).`;
  }
  if (chain.browser === 'firefox') {
    return 'Firefox reported it to extensions as a redirect with status 0, no status line and no headers (no Non-Authoritative-Reason); Hopscope shows it as the 307 DevTools shows.';
  }
  return `${upperFirst(browserLabel(chain.browser))} reported it as a ${hop.statusCode}${hop.statusText ? ` "${printable(hop.statusText)}"` : ''} with Non-Authoritative-Reason: HSTS.`;
}

/** Why the browser itself made this hop. */
function internalPoints(chain: Chain, hop: Hop): { headline: string; points: string[] } {
  const reason = hop.internalReason ?? '';
  const made = `The ${hop.statusCode} ${hop.statusText ? `"${printable(hop.statusText)}" ` : ''}was made up by the browser; no server sent it. Like any ${hop.statusCode === 307 ? '307' : 'internal redirect'}, it keeps the method and the body.`;
  switch (reason) {
    case 'HSTS':
      return {
        headline: `HSTS: the browser upgraded the request to https itself → ${shortTarget(hop)}`,
        points: [
          'The browser itself upgraded the request to https because the host is on the HSTS preload list or sent Strict-Transport-Security earlier (RFC 6797 §8.3, §12.3); the server was not contacted; nothing crossed the network.',
          hstsEvidence(chain, hop),
          made,
        ],
      };
    case 'WebRequest API':
    case 'Delegate':
      return {
        headline: `An extension redirected this request → ${shortTarget(hop)}`,
        points: [
          `An extension or a declarativeNetRequest rule redirected it before it was sent (Non-Authoritative-Reason: ${printable(reason)}); the server at the original URL was not contacted. If you did not expect it, check the extensions in chrome://extensions.`,
          made,
        ],
      };
    case 'HttpsUpgrades':
      return httpsUpgradesPoints(hop, made);
    default:
      return {
        headline: `Internal redirect by the browser (${printable(reason || 'no reason given')}) → ${shortTarget(hop)}`,
        points: [
          `The browser redirected this request itself (Non-Authoritative-Reason: ${printable(reason || 'none')}); no server sent this redirect.`,
          made,
        ],
      };
  }
}

/** Chrome's HTTPS-Upgrades: its upgrade to https, or its fallback to http when https failed. */
function httpsUpgradesPoints(hop: Hop, made: string): { headline: string; points: string[] } {
  const inferred = hop.inferred
    ? 'Extensions are not told of this hop (webRequest never reports it): Hopscope inferred it from the navigation and the requests around it, and DevTools shows it the same way.'
    : undefined;
  if (hop.url.startsWith('https:')) {
    const why = hop.error ? ` (${describeNetError(hop.error).short})` : '';
    return {
      headline: `HTTPS-Upgrades fell back to http: the https attempt failed${printable(why)} → ${shortTarget(hop)}`,
      points: [
        `The browser had upgraded the request to https itself; that attempt failed${printable(why)}, so it loaded the http URL instead, unencrypted, and will not try https on this host again for a while. Make the site answer over https (and redirect http to it) so users get the secure page.`,
        ...(inferred ? [inferred] : []),
      ],
    };
  }
  return {
    headline: `HTTPS-Upgrades: the browser tried https first → ${shortTarget(hop)}`,
    points: [
      "Chrome's HTTPS-Upgrades (or HTTPS-First Mode) tried https first: the browser rewrote the http URL before contacting anyone, and falls back to http only if the https load fails. The server was not contacted for the http URL, so its own answer there (a redirect, or the page) is not in this chain: `hopscope trace --no-https-upgrades` shows it.",
      ...(inferred ? [inferred] : []),
      made,
    ],
  };
}

/** A page that answered and then navigated on by itself: how, and what it costs. */
function clientPoints(hop: Hop): string[] {
  const c = hop.clientRedirect;
  const how =
    c?.type === 'meta-refresh'
      ? `a <meta http-equiv="refresh"> tag in the page${c.delaySeconds !== undefined ? ` asked for it after ${c.delaySeconds} s` : ''} (HTML, "Refresh" state of the meta element)`
      : c?.type === 'refresh-header'
        ? `the response's Refresh header${c.delaySeconds !== undefined ? ` asked for it after ${c.delaySeconds} s` : ''} (HTML, "shared declarative refresh steps")`
        : c?.type === 'javascript'
          ? 'a script in the page changed location (location.href, location.replace, …)'
          : 'the page navigated by itself';
  const points = [
    `Not an HTTP redirect: the page loaded with ${hop.statusCode || 'no'} status and then moved on because ${how}.`,
    'The user waits for the first page to load, and search engines follow such redirects less reliably than a 301 or 308 (Google Search Central, "Redirects and Google Search").',
  ];
  if (c && c.afterMs >= 2000) {
    points.push(`The next navigation started ${durationLabel(c.afterMs)} after this page had loaded.`);
  }
  return points;
}

function headlineOf(hop: Hop): string {
  const code = hop.statusCode;
  if (hop.kind === 'client') {
    return `${statusName(hop)}, then the page moved on by itself (${clientLabel(hop.clientRedirect)}) → ${shortTarget(hop)}`;
  }
  if (code === 0) {
    if (hop.error) return `Failed: ${describeNetError(hop.error).short}`;
    if (hop.redirectUrl) return `Redirect without a response → ${shortTarget(hop)}`;
    return 'No response';
  }
  const name = statusName(hop);
  const change = hop.methodChange?.kind === 'changed' ? hop.methodChange : undefined;
  const methodNote = change ? `; ${printable(change.from)} became ${printable(change.to)}` : '';
  if (hop.redirectUrl) {
    const kind =
      code === 301 || code === 308
        ? 'permanent redirect'
        : code === 302 || code === 307
          ? 'temporary redirect'
          : code === 303
            ? 'redirect to be fetched with GET'
            : 'redirect';
    return `${name}: ${kind} → ${shortTarget(hop)}${methodNote}`;
  }
  if (hop.error) return `${name}, then failed: ${describeNetError(hop.error).short}`;
  if (code >= 200 && code < 300) return `${name}: success`;
  if (code >= 400 && code < 500) return `${name}: client error`;
  if (code >= 500 && code < 600) return `${name}: server error`;
  return name;
}

function methodPoint(hop: Hop): string | undefined {
  const change = hop.methodChange;
  if (!change || change.kind === 'none') return undefined;
  let text = printable(change.reason);
  if (change.kind === 'changed' && change.bodyDropped && !/\bbody\b/i.test(text)) {
    text += ' The request body was dropped.';
  }
  return text;
}

/** What the cache verdict means for the next visit. */
function cachePoint(hop: Hop): string | undefined {
  const reason = printable(hop.cache.reason);
  switch (hop.cache.verdict) {
    case 'from-cache':
      return `${reason} The next visit gets the same stored answer until it expires or the cache is cleared, so a change on the server does not show here until then (RFC 9111 §4).`;
    case 'cacheable-by-default':
      return `${reason} Browsers that stored it keep following it even after the server changes it; test new redirects with 302/307 first.`;
    case 'cacheable-explicit':
      return `${reason} Within that time the next visit follows it from the cache; after that the browser asks the server again (RFC 9111 §4.2).`;
    case 'not-cacheable':
      return `${reason} A change on the server takes effect on the next visit.`;
    case 'not-applicable':
      // Internal hops and failures already say that nothing was fetched.
      return undefined;
  }
}

function loopPoints(chain: Chain, hop: Hop): string[] {
  const out: string[] = [];
  if (hop.repeatsHop !== undefined) {
    out.push(
      `This URL was already requested at hop ${hop.repeatsHop + 1}: the chain goes in a circle. Common causes: http and https (or www and bare host) redirecting to each other, a proxy that hides the original scheme from the app, or a login redirect that sets no cookie.`,
    );
  }
  const o = chain.outcome;
  if (o.state === 'error' && o.tooManyRedirects && hop.index === chain.hops.length - 1) {
    // Each browser's own error page for it.
    const page = loopBrowser(chain) === 'firefox' ? '"The page isn’t redirecting properly"' : 'ERR_TOO_MANY_REDIRECTS';
    out.push(
      `${upperFirst(browserLabel(loopBrowser(chain)))} gives up after ${MAX_REDIRECTS} redirects: it stopped here instead of following this Location. The page shows ${page}; webRequest reports ${printable(o.error)}.`,
    );
  }
  return out;
}

/** One hop explained: what happened, then each point worth knowing, most important first. */
export function explainHop(chain: Chain, hop: Hop): Explanation {
  const points: string[] = [];
  let headline: string;
  if (hop.kind === 'internal') {
    const internal = internalPoints(chain, hop);
    headline = internal.headline;
    points.push(...internal.points);
  } else if (hop.kind === 'client') {
    headline = headlineOf(hop);
    points.push(...clientPoints(hop));
  } else {
    headline = headlineOf(hop);
    if (hop.statusCode === 0 && hop.redirectUrl && !hop.error) {
      points.push(
        'The browser redirected without any response from a server (status 0). Firefox reports its HSTS upgrades this way.',
      );
    }
    const status = statusPoint(chain, hop);
    if (status) points.push(status);
  }
  if (hop.error) {
    const raw = printable(hop.error);
    const words = describeNetError(hop.error).long;
    const named = words.includes(raw) ? words : `${words} (${raw})`;
    points.push(
      hop.statusCode === 0 ? named : `The response had started, then the request failed: ${lowerFirst(named)}`,
    );
  }
  const method = methodPoint(hop);
  if (method) points.push(method);
  const location = locationPoint(hop);
  if (location) points.push(location);
  if (hop.crossOrigin) points.push(...crossOriginPoints(chain, hop));
  if (hop.downgrade) points.push(downgradePoint(hop, chain.hops[hop.index + 1]));
  const upgrade = upgradePoint(hop);
  if (upgrade) points.push(upgrade);
  points.push(...loopPoints(chain, hop));
  const cache = cachePoint(hop);
  if (cache) points.push(cache);
  return { headline, points };
}
