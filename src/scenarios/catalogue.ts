/**
 * The bundled redirect scenarios: what the demo page links and `npm start` traces headless.
 * Every URL here is answered by the routes in `routes.ts`. The comment above an entry says what
 * Chrome DevTools' Network panel shows for it where that is not obvious: the DevTools parity
 * test (tests/e2e/parity.test.ts) compares every entry with what DevTools shows.
 */
import { fallbackHost, UPGRADE_HOST } from './hosts.ts';
import type { ScenarioServer } from './server.ts';

export interface Scenario {
  id: string;
  title: string;
  /** What a user should see, in plain words. */
  explains: string;
  /**
   * URLs to visit in order, in one profile (a second visit of the same URL shows caching). Call
   * it once per run: some scenarios make up a fresh host name each time.
   */
  urls(s: ScenarioServer): string[];
  method?: 'GET' | 'POST';
  /** Form-encoded body for POST scenarios. */
  data?: string;
}

const postScenario = (code: number, what: string): Scenario => ({
  id: `post-${code}`,
  title: `POST through a ${code}`,
  explains: `A form POST answered with ${code}: ${what}`,
  urls: (s) => [`${s.origin()}/post/${code}`],
  method: 'POST',
  data: 'a=1',
});

const cacheScenario = (id: string, path: string, title: string, explains: string): Scenario => ({
  id,
  title,
  explains,
  urls: (s) => [`${s.origin()}${path}`, `${s.origin()}${path}`],
});

export const SCENARIOS: Scenario[] = [
  {
    id: 'chain-3xx',
    title: 'Five redirect codes in a row',
    explains: 'One navigation passes 301, 302, 303, 307 and 308 before the final page: six hops in one chain, all GET.',
    urls: (s) => [`${s.origin()}/chain/start`],
  },
  postScenario(301, 'the browser repeats it as a GET and drops the body.'),
  postScenario(302, 'the browser repeats it as a GET and drops the body.'),
  postScenario(303, 'the browser repeats it as a GET and drops the body (that is what 303 is for).'),
  postScenario(307, 'the browser repeats the POST with the same body.'),
  postScenario(308, 'the browser repeats the POST with the same body.'),
  cacheScenario(
    'cache-301',
    '/cache/301',
    'Cached 301',
    'Visited twice: the second time the 301 comes from the browser cache and the server is not asked.',
  ),
  cacheScenario(
    'cache-308',
    '/cache/308',
    'Cached 308',
    'Visited twice: the second time the 308 comes from the browser cache and the server is not asked.',
  ),
  cacheScenario(
    'cache-307-max-age',
    '/cache/307-max-age',
    '307 with max-age',
    'Visited twice: a 307 is cached only because it says Cache-Control: max-age=3600, so the second visit comes from the cache.',
  ),
  cacheScenario(
    'cache-302',
    '/cache/302',
    'Uncached 302',
    'Visited twice: a 302 without freshness headers is not cached, so both visits reach the server.',
  ),
  {
    id: 'hsts-preload',
    title: 'HSTS preload upgrade',
    explains:
      'http://hsts.dev never leaves the browser: .dev is on the HSTS preload list, so Chromium makes up a 307 to https itself (reason HSTS). Builds more than 10 weeks old skip the preload list and load it over http.',
    urls: (s) => [`${s.origin('hsts.dev', 'http')}/`],
  },
  {
    id: 'hsts-header',
    title: 'HSTS from a header',
    explains:
      'The first page sets Strict-Transport-Security over https; after that, the http link is upgraded inside the browser (307 Internal Redirect, reason HSTS).',
    urls: (s) => [`${s.origin('sts.test', 'https')}/sts/set`, `${s.origin('sts.test', 'http')}/sts/page`],
  },
  {
    id: 'hsts-midchain',
    title: 'HSTS in the middle of a chain',
    explains:
      'A server redirects to http:// of a host the browser knows for HSTS: the browser upgrades the redirect target itself (307 Internal Redirect, reason HSTS) before asking anyone.',
    urls: (s) => [`${s.origin('sts.test', 'https')}/sts/set`, `${s.origin('a.test', 'http')}/sts/via`],
  },
  // DevTools: http://up.example.com/ 307 Temporary Redirect (Non-Authoritative-Reason:
  // HttpsUpgrades) → https://up.example.com/ 200. webRequest sees only the https request.
  {
    id: 'https-upgrade',
    title: 'HTTPS-Upgrades: Chrome upgrades http itself',
    explains:
      'http://up.example.com/ on the default port: Chrome switches to https before asking the server (on by default since Chrome 115), as a 307 it makes up itself (reason HttpsUpgrades). Extensions are not told of that hop.',
    urls: () => [`http://${UPGRADE_HOST}/`],
  },
  // DevTools: http 307 (HttpsUpgrades) → https 307 back to http (HttpsUpgrades) → http 200, one
  // request. webRequest: the https request fails (net::ERR_CONNECTION_REFUSED), then a new
  // request loads http. Chrome then stops upgrading that host for days, hence a fresh host name
  // per run (fb-<random>.example.com: its https port refuses).
  {
    id: 'https-upgrade-fallback',
    title: 'HTTPS-Upgrades: https fails, back to http',
    explains:
      'Chrome tries https first, the connection is refused, so it falls back to the http URL the user asked for: two 307s made up by the browser, then the page over plain http.',
    urls: () => [`http://${fallbackHost()}/`],
  },
  // DevTools: https://up.example.com/a 302 → http://up.example.com/b 307 (HttpsUpgrades) →
  // https://up.example.com/b 200.
  {
    id: 'https-upgrade-midchain',
    title: 'HTTPS-Upgrades in the middle of a chain',
    explains:
      "A secure page redirects to http:// of its own host; Chrome upgrades the target again before it leaves the browser, so the server's http Location never travels over http.",
    urls: () => [`https://${UPGRADE_HOST}/a`],
  },
  // DevTools: https://up.example.com/r/302 → http://fb-….example.com/ 307 (HttpsUpgrades) → https
  // 307 back to http (HttpsUpgrades) → http 200, one request. webRequest: the upgraded attempt
  // fails, then a new request loads the http target.
  {
    id: 'https-upgrade-midchain-fallback',
    title: 'HTTPS-Upgrades in the middle of a chain, https fails',
    explains:
      'A secure page redirects to an http host whose https is refused: Chrome upgrades the target, the attempt fails, and it falls back to http, all inside one navigation.',
    urls: () => [`https://${UPGRADE_HOST}/r/302?to=${encodeURIComponent(`http://${fallbackHost()}/`)}`],
  },
  {
    id: 'loop',
    title: 'Redirect loop',
    explains: 'Two URLs redirect to each other; Chromium gives up after 20 redirects and the page fails.',
    urls: (s) => [`${s.origin()}/loop/a`],
  },
  {
    id: 'downgrade',
    title: 'https to http downgrade',
    explains: 'A secure page redirects to a plain http page on another host: the rest of the trip is unencrypted.',
    urls: (s) => [`${s.origin('secure.test', 'https')}/downgrade`],
  },
  {
    id: 'cross-host',
    title: 'Across hosts',
    explains: 'a.test sends you to b.test, which sends you to localhost: three hosts in one chain.',
    urls: (s) => [`${s.origin('a.test')}/hop`],
  },
  ...(
    [
      ['meta', 0, 'a <meta http-equiv="refresh" content="0"> tag'],
      ['meta', 2, 'a <meta http-equiv="refresh"> tag after 2 s'],
      ['refresh', 0, 'a Refresh: 0 response header'],
      ['replace', 0, 'location.replace() in a script'],
      ['href', 0, 'location.href = … in a script'],
    ] as const
  ).map(
    ([how, delay, what]): Scenario => ({
      id: `client-${how}${delay ? `-${delay}s` : ''}`,
      title: `Client-side redirect: ${what}`,
      explains: `301 → 302 → a page that answers 200 and moves on by itself through ${what} → 307 → the landing page: one journey, with the client hop typed.`,
      urls: (s) => [clientJourneyUrl(s, how, delay)],
    }),
  ),
  // DevTools: two navigations, the timer page's 200 and then /end 200.
  {
    id: 'client-js-timer',
    title: 'Client-side redirect: a JavaScript timer',
    explains:
      "The page answers 200 and 50 ms later moves on with setTimeout(() => location.replace('/end'), 50): one journey, with the client hop typed as JavaScript.",
    urls: (s) => [`${s.origin()}/client/timer?ms=50&to=${encodeURIComponent('/end')}`],
  },
  // DevTools: two navigations, 302 → the meta page's 200, then /end 200.
  {
    id: 'client-meta-after-302',
    title: 'Client-side redirect: a 302 to a meta refresh',
    explains:
      'A 302 leads to a page whose <meta http-equiv="refresh" content="0; url=/end"> moves on at once: 302 → 200 (meta refresh) → /end, one journey.',
    urls: (s) => [`${s.origin()}/r/302?to=${encodeURIComponent('/client/meta?delay=0&to=/end')}`],
  },
  {
    id: 'ok',
    title: 'No redirect',
    explains: 'A plain 200 page: a chain of one hop.',
    urls: (s) => [`${s.origin()}/ok`],
  },
  {
    id: 'burst',
    title: '200 redirected fetches at once',
    explains: 'The page starts 200 fetch() calls, each through two 302s: 200 chains finishing at about the same time.',
    urls: (s) => [`${s.origin()}/burst?n=200`],
  },
];

/** 301 → 302 → /client/<how> (moves on by itself) → 307 → /client/landed. */
export function clientJourneyUrl(s: ScenarioServer, how: 'meta' | 'refresh' | 'replace' | 'href', delay = 0): string {
  const enc = encodeURIComponent;
  const after = `/r/307?to=${enc('/client/landed')}`;
  const client = `/client/${how}?delay=${delay}&to=${enc(after)}`;
  return `${s.origin()}/r/301?to=${enc(`/r/302?to=${enc(client)}`)}`;
}
