/**
 * A whole chain in plain words: a headline (redirects, method changes, how it ended) and one
 * point per thing that matters, hop by hop.
 */
import { analyze } from '../../analyze/index.ts';
import type { AnalyzedHop as Hop } from '../../analyze/types.ts';
import type { Chain as ChainFacts } from '../../model/chain.ts';
import { MAX_REDIRECTS } from '../../model/http.ts';
import { parseUrl } from '../../model/url.ts';
import { chainDuration, durationLabel } from '../duration.ts';
import { browserLabel, clientLabel, loopBrowser } from '../labels.ts';
import { plural } from '../plural.ts';
import { lowerFirst, printable, upperFirst } from '../text.ts';
import type { Explanation } from './hop.ts';
import { describeNetError } from './net-errors.ts';
import { statusName } from './status.ts';

/** Who made an internal hop, in a few words. */
function internalShort(hop: Hop): string {
  switch (hop.internalReason) {
    case 'HSTS':
      return `the browser upgraded to https itself (HSTS); the server was not contacted${hop.inferred ? '; a hop extensions are not told of: inferred' : ''}`;
    case 'WebRequest API':
    case 'Delegate':
      return 'an extension or declarativeNetRequest rule redirected it';
    case 'HttpsUpgrades':
      return hop.url.startsWith('https:')
        ? 'the https attempt failed and the browser fell back to http (HTTPS-Upgrades)'
        : `the browser upgraded to https itself (HTTPS-Upgrades)${hop.inferred ? ', a hop extensions are not told of: inferred' : ''}`;
    default:
      return `the browser redirected it itself (${printable(hop.internalReason ?? 'no reason given')})`;
  }
}

/** The whole chain explained: one headline, then what each hop adds that matters. */
export function explainChain(facts: ChainFacts): Explanation {
  const chain = analyze(facts);
  const hops = chain.hops;
  const s = chain.summary;
  const o = chain.outcome;
  const total = chainDuration(chain);

  const parts: string[] = [];
  const internalCount = hops.filter((h) => h.kind === 'internal' && h.redirectUrl).length;
  parts.push(
    s.redirects === 0
      ? 'No redirect'
      : `${plural(s.redirects, 'redirect')}${internalCount ? ` (${internalCount} by the browser itself)` : ''}`,
  );
  const changes = new Set<string>();
  for (const h of hops) {
    if (h.methodChange?.kind === 'changed') {
      changes.add(`${printable(h.methodChange.from)} became ${printable(h.methodChange.to)}`);
    }
  }
  parts.push(...changes);
  if (o.state === 'pending') parts.push('still under way');
  else if (o.state === 'completed') parts.push(`ended at ${o.statusCode} in ${durationLabel(total)}`);
  else if (o.tooManyRedirects) parts.push(`gave up in a redirect loop after ${durationLabel(total)}`);
  else parts.push(`failed (${describeNetError(o.error).short}) after ${durationLabel(total)}`);
  const headline = parts.join(', ');

  const points: string[] = [];
  const first = hops[0];
  const last = hops.at(-1);
  if (first && last && s.redirects > 0) {
    const end = o.state === 'pending' ? chain.pending?.url || last.redirectUrl || last.url : last.url;
    points.push(
      `Started at ${printable(first.url)}, ${o.state === 'pending' ? 'now at' : o.state === 'error' ? 'stopped at' : 'ended at'} ${printable(end)}.`,
    );
  }
  let loopTold = false;
  let crossTold = false;
  for (const h of hops) {
    const n = `Hop ${h.index + 1}`;
    if (h.kind === 'internal') points.push(`${n}: ${internalShort(h)}.`);
    if (h.kind === 'client') points.push(`${n}: the page moved on by itself (${clientLabel(h.clientRedirect)}).`);
    const change = h.methodChange;
    if (change?.kind === 'changed') {
      points.push(
        `${n}: ${printable(change.from)} became ${printable(change.to)} after the ${h.statusCode}${change.bodyDropped ? '; the request body was dropped' : ''}.`,
      );
    }
    if (h.fromCache) points.push(`${n} came from the browser cache: the server was not contacted for it.`);
    if (h.downgrade) points.push(`${n} goes from https to http: everything after it travels unencrypted.`);
    if (h.crossOrigin && !crossTold) {
      crossTold = true;
      const from = parseUrl(h.url);
      const to = parseUrl(h.redirectUrl);
      if (from && to) {
        points.push(
          `${n} leaves ${printable(from.origin)} for ${printable(to.origin)}: from there on other cookies apply, and a request's Origin header may become null.`,
        );
      }
    }
    if (h.repeatsHop !== undefined && !loopTold) {
      loopTold = true;
      points.push(`Redirect loop: hop ${h.index + 1} requests the URL of hop ${h.repeatsHop + 1} again.`);
    }
    if (h.error && !(o.state === 'error' && o.tooManyRedirects)) {
      points.push(`${n} failed (${printable(h.error)}): ${lowerFirst(describeNetError(h.error).long)}`);
    }
  }
  if (o.state === 'error' && o.tooManyRedirects) {
    const who = upperFirst(browserLabel(loopBrowser(chain)));
    points.push(`${who} gives up after ${MAX_REDIRECTS} redirects; webRequest reports it as ${printable(o.error)}.`);
  } else if (o.state === 'error' && !hops.some((h) => h.error)) {
    points.push(`Failed (${printable(o.error)}): ${lowerFirst(describeNetError(o.error).long)}`);
  }
  const serverRedirects = hops.filter((h) => h.redirectUrl && h.kind === 'server').length;
  if (serverRedirects >= 2 && last && o.state === 'completed' && !s.loop) {
    points.push(
      `${serverRedirects} server redirects in a row: each costs a round trip, and Googlebot follows at most 10 (Google Search Central). Link straight to ${printable(last.url)}.`,
    );
  }
  if (o.state === 'completed' && last && last.statusCode >= 400) {
    points.push(`The chain ends in an error page: ${statusName(last)}.`);
  }
  return { headline, points };
}
