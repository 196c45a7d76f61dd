import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HTTPS_UPGRADE_FEATURES,
  mergeBrowserArgs,
  PLAYWRIGHT_DISABLED_FEATURES,
  parseBrowserVersion,
} from '../../src/cli/browser.ts';
import {
  browserArgsFor,
  fallbackHost,
  HOST_RESOLVER_RULES,
  hostResolverRules,
  SCENARIOS,
  type ScenarioServer,
  startScenarioServer,
  UPGRADE_HOST,
} from '../../src/scenarios/index.ts';

let s: ScenarioServer;

beforeAll(async () => {
  s = await startScenarioServer({ testRoutes: true });
});
afterAll(async () => {
  await s.close();
});
beforeEach(() => s.resetCounts());

const get = (path: string, init: RequestInit = {}) => fetch(`${s.origin()}${path}`, { redirect: 'manual', ...init });

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** sha256 of the served certificate's SPKI (TLS only). */
  spki?: string;
}

/**
 * A request to the server's port under any host name (the Host header is what the server routes
 * on; fetch() does not let us set it). `tls` speaks HTTPS to the same port.
 */
function raw(host: string, path: string, tls = false, server = s): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      port: server.port,
      path,
      servername: host,
      headers: { host: `${host}:${server.port}` },
      rejectUnauthorized: false,
      agent: false as const,
    };
    const req = (tls ? https : http).request(options, (res) => {
      let spki: string | undefined;
      if (tls) {
        const der = (res.socket as TLSSocket)
          .getPeerX509Certificate()
          ?.publicKey.export({ type: 'spki', format: 'der' });
        spki = der && createHash('sha256').update(der).digest('base64');
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, spki }));
    });
    req.on('error', reject);
    req.end();
  });
}
const tlsGet = (host: string, path: string) => raw(host, path, true);

describe('scenario server routes', () => {
  it('walks the 3xx chain with absolute and relative Locations', async () => {
    const seen: Array<[number, string | null]> = [];
    let url = `${s.origin()}/chain/start`;
    for (let i = 0; i < 10; i++) {
      const r = await fetch(url, { redirect: 'manual' });
      seen.push([r.status, r.headers.get('location')]);
      if (r.status === 200) {
        expect(await r.text()).toContain('<title>Chain of 3xx: final page</title>');
        break;
      }
      url = new URL(r.headers.get('location') ?? '', url).href;
    }
    expect(seen).toEqual([
      [301, `${s.origin()}/chain/2`],
      [302, '/chain/3'],
      [303, '4'],
      [307, `${s.origin()}/chain/5`],
      [308, 'final'],
      [200, null],
    ]);
    expect(url).toBe(`${s.origin()}/chain/final`);
  });

  it.each([301, 302, 303, 307, 308])('POST /post/%i redirects to /echo with that code', async (code) => {
    const r = await get(`/post/${code}`, { method: 'POST', body: 'a=1' });
    expect(r.status).toBe(code);
    expect(r.headers.get('location')).toBe('/echo');
    expect(s.received(`/post/${code}`)).toMatchObject([{ method: 'POST', body: 'a=1', host: 'localhost' }]);
  });

  it('echo prints and records the method and the escaped body', async () => {
    const r = await get('/echo', { method: 'POST', body: 'a=<b>&c=1' });
    const html = await r.text();
    expect(r.status).toBe(200);
    expect(html).toContain('<b id="method">POST</b>');
    expect(html).toContain('a=&#60;b&#62;&#38;c=1');
    expect(s.received('/echo')).toMatchObject([{ method: 'POST', body: 'a=<b>&c=1', host: 'localhost' }]);
  });

  it('marks only the cacheable redirects with caching headers', async () => {
    const r307 = await get('/cache/307-max-age');
    expect([r307.status, r307.headers.get('cache-control')]).toEqual([307, 'max-age=3600']);
    const r302 = await get('/cache/302');
    expect(r302.status).toBe(302);
    expect(r302.headers.get('cache-control')).toBeNull();
    expect(new URL(r302.headers.get('location') ?? '', `${s.origin()}/cache/302`).href).toBe(
      `${s.origin()}/cache/final?from=302`,
    );
    const final = await get('/cache/final?from=302');
    expect(final.headers.get('cache-control')).toBe('no-store');
  });

  it('loops between /loop/a and /loop/b', async () => {
    expect((await get('/loop/a')).headers.get('location')).toBe('/loop/b');
    expect((await get('/loop/b')).headers.get('location')).toBe('/loop/a');
  });

  it('sends a.test to b.test, then to localhost', async () => {
    const a = await raw('a.test', '/hop');
    expect([a.status, a.headers.location]).toEqual([302, `http://b.test:${s.port}/hop`]);
    const b = await raw('b.test', '/hop');
    expect([b.status, b.headers.location]).toEqual([302, `http://localhost:${s.port}/hop/final`]);
    const final = await get('/hop/final');
    expect(await final.text()).toContain('<title>Cross host: final page</title>');
  });

  it('serves the HTTPS-Upgrades hosts: a page on both schemes, /a redirecting to http:// of its host on port 80', async () => {
    for (const host of [UPGRADE_HOST, fallbackHost()]) {
      const plain = await raw(host, '/');
      expect(plain.body).toContain('<title>HTTPS-Upgrades: arrived over http</title>');
      const secure = await tlsGet(host, '/');
      expect(secure.body).toContain('<title>HTTPS-Upgrades: arrived over https</title>');
      expect(secure.spki).toBe(s.spkiHash);
    }
    const a = await tlsGet(UPGRADE_HOST, '/a');
    expect([a.status, a.headers.location]).toEqual([302, `http://${UPGRADE_HOST}/b`]);
    expect((await tlsGet(UPGRADE_HOST, '/b')).body).toContain('<title>HTTPS-Upgrades mid-chain: /b over https</title>');
  });

  it('serves a page that moves on after a JavaScript timer, and /end', async () => {
    const html = await (await get(`/client/timer?ms=50&to=${encodeURIComponent('/end')}`)).text();
    expect(html).toContain('<script>setTimeout(() => location.replace("/end"), 50);</script>');
    expect(await (await get('/end')).text()).toContain('<title>Client redirect: the end</title>');
    const meta = await get(`/r/302?to=${encodeURIComponent('/client/meta?delay=0&to=/end')}`);
    expect([meta.status, meta.headers.get('location')]).toEqual([302, '/client/meta?delay=0&to=/end']);
    expect(await (await get('/client/meta?delay=0&to=/end')).text()).toContain(
      '<meta http-equiv="refresh" content="0; url=/end">',
    );
  });

  it('answers 404 for unknown paths', async () => {
    expect((await get('/nope')).status).toBe(404);
  });

  it('serves a burst page that fetches n redirecting URLs', async () => {
    const html = await (await get('/burst?n=5')).text();
    expect(html).toContain('const n = 5;');
    expect((await get('/burst/r/3')).headers.get('location')).toBe('/burst/f/3');
    expect((await get('/burst/f/3')).headers.get('location')).toBe('/burst/done/3');
    expect(await (await get('/burst/done/3')).text()).toBe('done 3');
  });

  it('links every scenario from the index page, POST ones as forms', async () => {
    const html = await (await get('/')).text();
    for (const sc of SCENARIOS) expect(html).toContain(`id="${sc.id}"`);
    expect(html).toContain(
      `<form method="POST" action="${s.origin()}/post/307"><input type="text" name="a" value="1">`,
    );
  });
});

describe('hit counting', () => {
  it('counts by pathname, optionally by host, and resets', async () => {
    await get('/ok');
    await get('/ok?x=1');
    await raw('a.test', '/ok');
    expect(s.hits('/ok')).toBe(3);
    expect(s.hits('/ok', 'a.test')).toBe(1);
    expect(s.hits('/ok?x=1')).toBe(1);
    expect(s.hits('/chain/start')).toBe(0);
    s.resetCounts();
    expect(s.hits('/ok')).toBe(0);
  });
});

describe('hold', () => {
  it('holds the next request to a path until release()', async () => {
    const h = s.hold('/slow/final');
    let done = false;
    const pending = get('/slow/final').then((r) => {
      done = true;
      return r;
    });
    await h.arrived;
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    expect(s.hits('/slow/final')).toBe(1);
    h.release();
    expect((await pending).status).toBe(200);
    // Only the next request was held.
    expect((await get('/slow/final')).status).toBe(200);
  });
});

describe('TLS on the same port', () => {
  it('speaks HTTPS and HTTP on one port with the certificate spkiHash names', async () => {
    const r = await tlsGet('sts.test', '/sts/set');
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toBe('max-age=3600');
    expect(r.spki).toBe(s.spkiHash);
    expect(s.hits('/sts/set', 'sts.test')).toBe(1);
    expect((await get('/ok')).status).toBe(200);
  });

  it('downgrades https://secure.test to http://plain.test', async () => {
    const r = await tlsGet('secure.test', '/downgrade');
    expect([r.status, r.headers.location]).toEqual([301, `http://plain.test:${s.port}/downgrade/landed`]);
  });

  it('answers https://hsts.dev/ and counts it', async () => {
    const r = await tlsGet('hsts.dev', '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>HSTS preload: arrived over https</title>');
    expect(s.hits('/', 'hsts.dev')).toBe(1);
  });
});

describe('browser arguments', () => {
  it('maps the test hosts and trusts only this certificate', () => {
    expect(s.spkiHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(browserArgsFor(s)).toEqual([
      `--host-resolver-rules=${hostResolverRules(s)}`,
      `--ignore-certificate-errors-spki-list=${s.spkiHash}`,
    ]);
  });

  it('sends up.example.com:80/443 to the server, other *.example.com:443 to a refusing port, first match first', () => {
    const rules = hostResolverRules(s).split(', ');
    expect(rules).toEqual([
      `MAP ${UPGRADE_HOST}:80 127.0.0.1:${s.port}`,
      `MAP ${UPGRADE_HOST}:443 127.0.0.1:${s.port}`,
      `MAP *.example.com:80 127.0.0.1:${s.port}`,
      `MAP *.example.com:443 127.0.0.1:${s.refusedPort}`,
      'MAP *.example.com 127.0.0.1',
      ...HOST_RESOLVER_RULES.split(', '),
    ]);
    expect(s.refusedPort).not.toBe(s.port);
  });

  it("refuses connections on the fallback hosts' https port", async () => {
    const error = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: s.refusedPort });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(error).toBe('ECONNREFUSED');
  });

  it('makes up a fresh fallback host under example.com each time', () => {
    const a = fallbackHost();
    expect(a).toMatch(/^fb-[a-z0-9]+\.example\.com$/);
    expect(fallbackHost()).not.toBe(a);
  });
});

describe('Chromium launch arguments', () => {
  // Playwright's own list, as its launcher passes it: ours must carry all of it, since Chromium
  // keeps only the last --disable-features switch and ours comes last.
  const playwrightList = (): string[] => {
    const require = createRequire(import.meta.url);
    const bundle = readFileSync(require.resolve('playwright-core/lib/coreBundle'), 'utf8');
    const body = /disabledFeatures = \[([\s\S]*?)\]/.exec(bundle)?.[1] ?? '';
    return [...body.matchAll(/^\s*"([^"]+)"/gm)].map((m) => m[1] ?? '');
  };
  const features = (args: string[]) => {
    const last = args.filter((a) => a.startsWith('--disable-features=')).at(-1) ?? '';
    return last.slice('--disable-features='.length).split(',');
  };

  it("PLAYWRIGHT_DISABLED_FEATURES is playwright-core's disabledFeatures list", () => {
    const list = playwrightList();
    expect(list).toContain('HttpsUpgrades');
    expect([...PLAYWRIGHT_DISABLED_FEATURES].sort()).toEqual([...list].sort());
  });

  it('keeps HTTPS-Upgrades on by default: one --disable-features switch, last, without its two features', () => {
    const args = mergeBrowserArgs('/ext', true, ['--foo']);
    expect(args.filter((a) => a.startsWith('--disable-features=')).length).toBe(1);
    expect(args.at(-1)).toMatch(/^--disable-features=/);
    expect(features(args)).toEqual(PLAYWRIGHT_DISABLED_FEATURES.filter((f) => !HTTPS_UPGRADE_FEATURES.includes(f)));
    expect(args).toContain('--foo');
  });

  it("switches them off with httpsUpgrades: false, and merges the caller's features", () => {
    const args = mergeBrowserArgs('/ext', false, ['--disable-features=Foo,Bar', '--disable-features=Baz'], {
      httpsUpgrades: false,
    });
    expect(args.filter((a) => a.startsWith('--disable-features=')).length).toBe(1);
    expect(features(args)).toEqual([...PLAYWRIGHT_DISABLED_FEATURES, 'Foo', 'Bar', 'Baz']);
    expect(args).not.toContain('--headless=new');
  });

  it('reads the browser name and version from --version', () => {
    expect(parseBrowserVersion('Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)\n')).toEqual({
      name: 'Chromium',
      version: '156.0.8078.114',
    });
    expect(parseBrowserVersion('Google Chrome for Testing 150.0.7871.2')).toEqual({
      name: 'Google Chrome for Testing',
      version: '150.0.7871.2',
    });
    expect(parseBrowserVersion('nothing')).toBeUndefined();
  });
});

describe('test routes', () => {
  const testOnly = ['/slow/start', '/slow/final', '/hostile', '/hostile/terminal'];

  it('are served only with { testRoutes: true }; the demo starts the server without it', async () => {
    const demo = await startScenarioServer();
    try {
      for (const path of testOnly) expect((await raw('localhost', path, false, demo)).status, path).toBe(404);
    } finally {
      await demo.close();
    }
    expect((await get('/slow/start')).headers.get('location')).toBe('/slow/final');
    expect((await get('/hostile')).status).toBe(302);
  });

  it('are not needed by any scenario of the catalogue', async () => {
    const demo = await startScenarioServer();
    try {
      for (const sc of SCENARIOS) {
        for (const u of sc.urls(demo)) {
          const url = new URL(u);
          const r = await raw(url.hostname, url.pathname + url.search, url.protocol === 'https:', demo);
          expect(r.status, u).not.toBe(404);
          // Follow root-relative and absolute Locations on the same server until the chain ends.
          let location = r.headers.location as string | undefined;
          let from = url;
          for (let i = 0; location && i < 10; i++) {
            const next = new URL(location, from);
            if (next.pathname === '/loop/a') break;
            const hop = await raw(next.hostname, next.pathname + next.search, next.protocol === 'https:', demo);
            expect(hop.status, next.href).not.toBe(404);
            location = hop.headers.location as string | undefined;
            from = next;
          }
        }
      }
    } finally {
      await demo.close();
    }
  });
});
