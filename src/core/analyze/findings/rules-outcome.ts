/** Rules about caching and how the chain ends. */
import { RECORDING_STOPPED, TAB_CLOSED } from '../../model/chain.ts';
import { getHeader } from '../../model/headers.ts';
import type { Rule } from './rule.ts';
import { SOURCES } from './sources.ts';

const DAY = 86_400;

export const permanentCachedForever: Rule = {
  id: 'permanent-cached-forever',
  severity: 'info',
  source: SOURCES.rfc9111Heuristic,
  check: (chain) =>
    chain.hops
      .filter(
        (h) =>
          h.kind === 'server' &&
          (h.statusCode === 301 || h.statusCode === 308) &&
          getHeader(h.responseHeaders, 'cache-control') === undefined &&
          getHeader(h.responseHeaders, 'expires') === undefined,
      )
      .map((h) => ({
        hop: h.index,
        // Firefox, which does not store it, can still show it: the site's users run Chromium too.
        message: `The ${h.statusCode} from ${h.url} has no Cache-Control or Expires: ${chain.browser === 'firefox' ? 'Chromium-based browsers keep it with no expiry (Firefox, which recorded this, does not store it)' : 'browsers keep it with no expiry'}, so if this redirect ever changes, users who saw it never learn. Send Cache-Control: max-age to bound it.`,
      })),
};

export const temporaryCached: Rule = {
  id: 'temporary-cached',
  severity: 'warning',
  source: SOURCES.rfc9111Freshness,
  check: (chain) =>
    chain.hops
      .filter(
        (h) => h.kind === 'server' && (h.statusCode === 302 || h.statusCode === 307) && (h.cache.lifetime ?? 0) > DAY,
      )
      .map((h) => ({
        hop: h.index,
        message: `The "temporary" ${h.statusCode} from ${h.url} may be reused for more than a day without asking the server (${h.cache.reason.replace(/\.$/, '')}): a change of target reaches returning users only after that.`,
      })),
};

export const endsInError: Rule = {
  id: 'ends-in-error',
  severity: 'error',
  check: (chain) => {
    const o = chain.outcome;
    const last = chain.hops.at(-1);
    const hop = Math.max(0, chain.hops.length - 1);
    if (o.state === 'error') {
      // The loop rule says it; a tab the user closed, or recording that stopped, is not the
      // site's error.
      if (o.tooManyRedirects || o.error === TAB_CLOSED || o.error === RECORDING_STOPPED) return [];
      return [
        {
          hop,
          message: `The chain ends in a network error (${o.error}) at ${last?.url ?? 'its first request'}: no page.`,
        },
      ];
    }
    if (o.state === 'completed' && o.statusCode >= 400) {
      return [
        {
          hop,
          message: `The chain ends in ${o.statusCode}${last?.statusText ? ` ${last.statusText}` : ''} at ${last?.url}: the redirect leads to an error page.`,
        },
      ];
    }
    return [];
  },
};

export const loop: Rule = {
  id: 'loop',
  severity: 'error',
  check: (chain) => {
    const repeat = chain.hops.find((h) => h.repeatsHop !== undefined);
    if (repeat?.repeatsHop !== undefined) {
      return [
        {
          hop: repeat.index,
          message: `${repeat.url} is requested again (hop ${repeat.index + 1} repeats hop ${repeat.repeatsHop + 1}): a redirect loop.`,
        },
      ];
    }
    const o = chain.outcome;
    if (o.state === 'error' && o.tooManyRedirects) {
      return [
        {
          hop: Math.max(0, chain.hops.length - 1),
          message: `The browser gave up after ${chain.summary.redirects} redirects (${o.error}): a redirect loop or an endless chain.`,
        },
      ];
    }
    return [];
  },
};
