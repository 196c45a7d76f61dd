/**
 * DevTools parity: Chrome DevTools is the reference for what the browser did. Every scenario of
 * the catalogue is loaded once in Chromium with its default features (HTTPS-Upgrades on), in a
 * fresh tab with a CDP session on it; DevTools' view of the main-frame navigation (CDP Network,
 * tests/support/devtools-network.ts) is compared hop by hop with the journey the extension
 * recorded for the same navigation: URL, status and status text, method, kind (with the
 * internal reason, i.e. `Non-Authoritative-Reason`), from cache, and how the journey ended.
 *
 * A client redirect (meta refresh, `Refresh` header, JavaScript) is a new navigation in DevTools;
 * Hopscope joins it into one journey behind a `client` hop, the page's own answer. So the
 * DevTools navigations of one visit, in order, make the one journey expected, the last hop of
 * every navigation but the last being that `client` hop.
 *
 * A difference Hopscope cannot remove (a limit of webRequest) or should not (webRequest tells
 * more than DevTools shows) is listed in KNOWN_DIFFERENCES with its reason; any other difference
 * fails. One browser for all (the cache scenarios need their first
 * visit in the same profile); it runs with its clock set near its build date when it is too old
 * for its HSTS preload list (tests/support/timely-chromium.ts), so `hsts-preload` runs here too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBrowserPath } from '../../src/cli/browser.ts';
import { submitForm } from '../../src/cli/trace.ts';
import { type AnalyzedChain, analyze } from '../../src/core/analyze/index.ts';
import { sameResource } from '../../src/core/model/url.ts';
import { SCENARIOS, UPGRADE_HOST } from '../../src/scenarios/index.ts';
import { type DevToolsNavigation, DevToolsNetwork, waitUntilSettled } from '../support/devtools-network.ts';
import { type E2E, startE2E } from '../support/extension-browser.ts';
import { browserWithTimelyClock } from '../support/timely-chromium.ts';

/**
 * Where Hopscope's journey may differ from DevTools, each with the reason: a whole scenario, or
 * some cells (each a hop, negative counting from the end, and a field) so the rest of that scenario
 * is still compared strictly. A listed difference is printed, not failed; a row whose difference
 * no longer shows prints a line asking to remove it.
 */
const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    scenario: 'loop',
    cells: [{ hop: -1, field: 'status' }],
    reason:
      'Chromium gives up after the 20th response, a 302: DevTools shows that request as failed with no status (the 302 never becomes a redirectResponse), webRequest reports it (onHeadersReceived, onBeforeRedirect, then onErrorOccurred net::ERR_ABORTED) and Hopscope keeps the 302 the server sent; both end the journey in ERR_TOO_MANY_REDIRECTS.',
  },
  {
    scenario: 'hsts-midchain',
    cells: [
      { hop: -2, field: 'status' },
      { hop: -2, field: 'kind' },
    ],
    reason:
      "Chromium upgrades a redirect's http:// target on an HSTS host without telling extensions (the same request goes on at https://). DevTools shows that hop as a copy of the redirect before it (302 Found, no remote address, no Non-Authoritative-Reason); Hopscope infers it and shows it as what it is, the browser's HSTS upgrade: 307 Internal Redirect, internal (HSTS, inferred).",
  },
];

interface KnownDifference {
  /** A catalogue scenario id. */
  scenario: string;
  /** Only these cells may differ: each a hop's index in the journey (-1: the last) and a field. */
  cells?: Array<{ hop: number; field: keyof Row }>;
  reason: string;
}

/** A hop as both sides can show it: the fields compared, so a mismatch reads as a short diff. */
interface Row {
  status: string;
  method: string;
  kind: string;
  cache: 'cache' | 'network';
  url: string;
}
/** One journey: its hops, then how it ended. */
interface Journey {
  hops: Row[];
  end: string;
}

function devtoolsJourney(navigations: readonly DevToolsNavigation[]): Journey {
  const hops: Row[] = [];
  navigations.forEach((nav, n) => {
    nav.hops.forEach((h, i) => {
      const endsNavigation = i === nav.hops.length - 1;
      const client = endsNavigation && n < navigations.length - 1 && !h.internalReason;
      hops.push({
        status: `${h.status} ${h.statusText}`.trim(),
        method: h.method,
        kind: h.internalReason ? `internal:${h.internalReason}` : client ? 'client' : 'server',
        cache: h.fromCache ? 'cache' : 'network',
        url: h.url,
      });
    });
  });
  const last = navigations.at(-1)?.hops.at(-1);
  return { hops, end: last?.error ? `error ${last.error}` : `completed ${last?.status ?? '?'}` };
}

function hopscopeJourney(chain: AnalyzedChain): Journey {
  const hops = chain.hops.map(
    (h): Row => ({
      status: `${h.statusCode} ${h.statusText}`.trim(),
      method: h.method,
      kind: h.kind === 'internal' ? `internal:${h.internalReason ?? ''}` : h.kind,
      cache: h.fromCache ? 'cache' : 'network',
      url: h.url,
    }),
  );
  const o = chain.outcome;
  const end =
    o.state === 'completed'
      ? `completed ${o.statusCode}`
      : o.state === 'error'
        ? // webRequest reports a loop as net::ERR_ABORTED; the recorder knows it is a loop.
          `error ${o.tooManyRedirects ? 'net::ERR_TOO_MANY_REDIRECTS' : o.error}`
        : 'pending';
  return { hops, end };
}

/** The expected journeys with the cells a KNOWN_DIFFERENCES row allows taken from Hopscope's. */
function tolerate(expected: Journey[], actual: Journey[], known: KnownDifference): Journey[] {
  if (!known.cells) return actual;
  return expected.map((journey, j) => {
    const hops = journey.hops.map((h) => ({ ...h }));
    const theirs = actual[j]?.hops;
    for (const { hop, field } of known.cells ?? []) {
      const i = hop < 0 ? hops.length + hop : hop;
      const row = hops[i];
      // Only when the hops line up: a missing or extra hop is never tolerated.
      const cell = theirs?.length === hops.length ? theirs[i] : undefined;
      if (row && cell) Object.assign(row, { [field]: cell[field] });
    }
    return { ...journey, hops };
  });
}

interface Observed {
  devtools: DevToolsNavigation[];
  chains: AnalyzedChain[];
}

let e2e: E2E;
const timings: string[] = [];

/**
 * Loads one URL in a fresh tab, by navigating or, with `formData`, by submitting a form that
 * POSTs it, and returns what DevTools and Hopscope saw.
 */
async function observe(url: string, formData?: string): Promise<Observed> {
  const known = new Set((await e2e.browser.chains()).map((c) => c.id));
  const page = await e2e.newPage();
  const devtools = await DevToolsNetwork.attach(e2e.browser.context, page);
  try {
    if (formData !== undefined) {
      // A real form, so the browser's own redirect rules apply to the method and the body.
      await submitForm(page, { url, method: 'POST', data: formData }, 30_000);
    } else {
      await page.goto(url).catch(() => undefined); // a loop or an error page is a result too
    }
    await waitUntilSettled(devtools, page);
    const finalUrl = devtools.finalUrl ?? '';
    // Hopscope's journey for this visit: main-frame chains started since, ended, reaching the
    // page DevTools ended on. Whatever is there after the wait is compared.
    const isNew = (c: AnalyzedChain) => !known.has(c.id) && c.type === 'main_frame';
    let chains: AnalyzedChain[] = [];
    try {
      chains = (
        await e2e.waitForChains((all) => {
          const fresh = all.filter(isNew);
          const last = fresh.at(-1)?.hops.at(-1)?.url;
          return (
            fresh.length > 0 &&
            fresh.every((c) => c.outcome.state !== 'pending') &&
            last !== undefined &&
            sameResource(last, finalUrl)
          );
        }, 8_000)
      ).filter(isNew);
    } catch {
      chains = (await e2e.browser.chains()).map(analyze).filter(isNew);
    }
    return { devtools: devtools.navigations.map((n) => ({ ...n, hops: n.hops.map((h) => ({ ...h })) })), chains };
  } finally {
    await devtools.detach();
    await page.close();
  }
}

beforeAll(async () => {
  const t0 = Date.now();
  // The whole parity browser runs near its build date when it is too old for the HSTS preload
  // list; nothing else about the browser changes.
  e2e = await startE2E({ browserPath: await browserWithTimelyClock(resolveBrowserPath()) });
  timings.push(`browser up: ${Date.now() - t0} ms`);
});
afterAll(async () => {
  await e2e?.close();
  if (timings.length) console.log(`parity timings\n  ${timings.join('\n  ')}`);
});

describe('DevTools parity (Chromium with its default features, HTTPS-Upgrades on)', () => {
  it('runs the browser users run: HTTPS-Upgrades on, the browser named for the HAR', () => {
    expect(e2e.browser.httpsUpgrades).toBe(true);
    expect(e2e.browser.browser.name).toMatch(/chrom/i);
    expect(e2e.browser.browser.version).toMatch(/^\d+\.\d+/);
  });

  it('lists only catalogue scenarios in KNOWN_DIFFERENCES, each with a reason', () => {
    const ids = new Set(SCENARIOS.map((s) => s.id));
    for (const k of KNOWN_DIFFERENCES) {
      expect(ids.has(k.scenario), k.scenario).toBe(true);
      expect(k.reason.length, k.scenario).toBeGreaterThan(10);
    }
    expect(new Set(KNOWN_DIFFERENCES.map((k) => k.scenario)).size).toBe(KNOWN_DIFFERENCES.length);
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: Hopscope shows what DevTools shows', async (id, scenario) => {
    const t0 = Date.now();
    const known = KNOWN_DIFFERENCES.find((k) => k.scenario === id);
    const urls = scenario.urls(e2e.server);
    for (const [i, url] of urls.entries()) {
      const { devtools, chains } = await observe(url, scenario.method === 'POST' ? (scenario.data ?? '') : undefined);
      const where = `${id}, visit ${i + 1} of ${urls.length}: ${scenario.method ?? 'GET'} ${url}`;
      expect(devtools.length, `${where}: DevTools saw no navigation`).toBeGreaterThan(0);
      const expected = [devtoolsJourney(devtools)];
      if (id.startsWith('https-upgrade')) {
        // The browser really upgraded: the feature is on in this launch.
        expect(
          expected[0]?.hops.some((h) => h.kind === 'internal:HttpsUpgrades'),
          `${where}: DevTools shows no HttpsUpgrades hop`,
        ).toBe(true);
      }
      if (id.startsWith('cache-') && i === 1) {
        // The scenario does what it says: the second visit's redirect comes from the cache (or,
        // for the uncached 302, does not).
        expect(expected[0]?.hops[0]?.cache, `${where}: DevTools' first hop`).toBe(
          id === 'cache-302' ? 'network' : 'cache',
        );
      }
      const actual = chains.map(hopscopeJourney);
      if (known) {
        const tolerated = tolerate(expected, actual, known);
        const same = JSON.stringify(actual) === JSON.stringify(expected);
        if (same) {
          console.log(`KNOWN_DIFFERENCES lists ${id}, but Hopscope now shows what DevTools shows: remove the row.`);
        } else {
          console.log(
            `${where}: known difference (${known.reason})\n  DevTools: ${JSON.stringify(expected)}\n  Hopscope: ${JSON.stringify(actual)}`,
          );
        }
        // A cell-level row: everything but that cell must still match.
        if (known.cells) expect(actual, where).toEqual(tolerated);
        continue;
      }
      expect(actual, where).toEqual(expected);
    }
    timings.push(`${id}: ${Date.now() - t0} ms`);
  });
});

describe('with httpsUpgrades: false', () => {
  // A second browser, once the first is closed (two cores): the outer afterAll closes this one.
  beforeAll(async () => {
    await e2e?.close();
    e2e = await startE2E({ httpsUpgrades: false });
  });

  it('the browser loads http:// as the server answers it, and Hopscope agrees with DevTools', async () => {
    expect(e2e.browser.httpsUpgrades).toBe(false);
    for (const url of [`http://${UPGRADE_HOST}/`, `https://${UPGRADE_HOST}/a`]) {
      const { devtools, chains } = await observe(url);
      const expected = devtoolsJourney(devtools);
      expect(expected.hops.map((h) => h.kind)).not.toContain('internal:HttpsUpgrades');
      expect(expected.hops.at(-1)?.url).toMatch(/^http:\/\/up\.example\.com\//);
      expect(chains.map(hopscopeJourney), url).toEqual([expected]);
    }
  });
});
