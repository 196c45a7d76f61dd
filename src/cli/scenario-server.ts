/**
 * Local fixture server for the demo, `hopscope trace` and the end-to-end tests.
 *
 * One loopback port serves both plain HTTP and HTTPS, so a scenario can hop between schemes
 * (HSTS upgrade, downgrade) without a second port: the first byte of each connection decides.
 * Hosts such as `a.test` or `hsts.dev` reach it through Chromium's `--host-resolver-rules`
 * (see `browserArgsFor`).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface ScenarioServer {
  /** One port serving both plain HTTP and HTTPS on loopback. */
  port: number;
  /** e.g. origin('a.test') -> 'http://a.test:PORT'. */
  origin(host?: string, scheme?: 'http' | 'https'): string;
  /** Requests that reached the server for that pathname (or pathname+query when `path` has a `?`). */
  hits(path: string, host?: string): number;
  /** Requests received at that pathname, with their body text. */
  received(path: string): Array<{ method: string; body: string; host: string }>;
  resetCounts(): void;
  /** The next request to `path` gets no response until release(); `arrived` resolves when it came in. */
  hold(path: string): { release(): void; arrived: Promise<void> };
  /** base64 sha256 of the certificate's SubjectPublicKeyInfo. */
  spkiHash: string;
  close(): Promise<void>;
}

export interface Scenario {
  id: string;
  title: string;
  /** What a user should see, in plain words. */
  explains: string;
  /** URLs to visit in order, in one profile (a second visit of the same URL shows caching). */
  urls(s: ScenarioServer): string[];
  method?: 'GET' | 'POST';
  /** Form-encoded body for POST scenarios. */
  data?: string;
}

// Chromium's rule syntax: comma-separated "MAP <host pattern> <replacement>"; without a port in
// the replacement the URL's port is kept.
export const HOST_RESOLVER_RULES = 'MAP *.test 127.0.0.1, MAP *.dev 127.0.0.1';

const TLS_DIR = new URL('./tls/', import.meta.url);

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

export function browserArgsFor(s: ScenarioServer): string[] {
  return [`--host-resolver-rules=${HOST_RESOLVER_RULES}`, `--ignore-certificate-errors-spki-list=${s.spkiHash}`];
}

interface Received {
  method: string;
  pathname: string;
  search: string;
  host: string;
  body: string;
}

interface Hold {
  release(): void;
  arrived: Promise<void>;
  /** Called by the server when the request arrives; resolves once released. */
  take(): Promise<void>;
}

function makeHold(): Hold {
  let markArrived!: () => void;
  let released!: () => void;
  const arrived = new Promise<void>((r) => {
    markArrived = r;
  });
  const gate = new Promise<void>((r) => {
    released = r;
  });
  return {
    release: () => released(),
    arrived,
    take: () => {
      markArrived();
      return gate;
    },
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}\n`;

export async function startScenarioServer(opts: { port?: number } = {}): Promise<ScenarioServer> {
  const cert = readFileSync(new URL('cert.pem', TLS_DIR));
  const key = readFileSync(new URL('key.pem', TLS_DIR));
  const spkiDer = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  const spkiHash = createHash('sha256').update(spkiDer).digest('base64');

  const log: Received[] = [];
  const holds = new Map<string, Hold[]>();
  const sockets = new Set<net.Socket>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      respond(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        // A hostile query (e.g. a newline in ?to=) cannot become a header: refuse it.
        if (!res.headersSent) res.writeHead(400).end();
        else res.destroy();
      });
    });
  };

  const httpServer = http.createServer(handler);
  const httpsServer = https.createServer({ cert, key }, handler);
  // A browser drops a lot of connections mid-way (preconnects, aborted tabs): not our error.
  httpsServer.on('tlsClientError', () => {});
  for (const s of [httpServer, httpsServer]) s.on('clientError', (_e, socket) => socket.destroy());

  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      // 0x16 = TLS handshake record; everything else is plain HTTP.
      (first[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  };

  const listeners: net.Server[] = [];
  const listen = (host: string, port: number): Promise<net.Server> =>
    new Promise((resolve, reject) => {
      const srv = net.createServer(onConnection);
      srv.once('error', reject);
      srv.listen({ host, port }, () => {
        srv.off('error', reject);
        resolve(srv);
      });
    });

  // IPv4 first: --host-resolver-rules maps the test hosts to 127.0.0.1. `localhost` may resolve
  // to ::1 first, so the same port is also opened there when the machine has IPv6 loopback.
  const v4 = await listen('127.0.0.1', opts.port ?? 0);
  listeners.push(v4);
  const port = (v4.address() as net.AddressInfo).port;
  try {
    listeners.push(await listen('::1', port));
  } catch {
    // No IPv6 loopback (or the port is taken there): IPv4 alone is enough.
  }

  const server: ScenarioServer = {
    port,
    spkiHash,
    origin: (host = 'localhost', scheme = 'http') => `${scheme}://${host}:${port}`,
    hits: (path, host) => matching(path).filter((r) => host === undefined || r.host === host).length,
    received: (path) => matching(path).map(({ method, body, host }) => ({ method, body, host })),
    resetCounts: () => {
      log.length = 0;
    },
    hold: (path) => {
      const h = makeHold();
      const queue = holds.get(path) ?? [];
      queue.push(h);
      holds.set(path, queue);
      return { release: h.release, arrived: h.arrived };
    },
    close: async () => {
      for (const queue of holds.values()) for (const h of queue) h.release();
      holds.clear();
      await Promise.all(
        listeners.map(
          (l) =>
            new Promise<void>((resolve) => {
              l.close(() => resolve());
            }),
        ),
      );
      for (const s of sockets) s.destroy();
    },
  };

  function matching(path: string): Received[] {
    const withQuery = path.includes('?');
    return log.filter((r) => (withQuery ? r.pathname + r.search : r.pathname) === path);
  }

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const hostHeader = req.headers.host ?? `localhost:${port}`;
    const url = new URL(req.url ?? '/', `${scheme}://${hostHeader}`);
    const host = url.hostname;
    const method = req.method ?? 'GET';
    log.push({ method, pathname: url.pathname, search: url.search, host, body });

    const held = holds.get(url.pathname)?.shift();
    if (held) await held.take();
    if (res.destroyed) return;

    const self = `${scheme}://${hostHeader}`;
    const send = (status: number, html: string, headers: Record<string, string> = {}): void => {
      const buf = Buffer.from(html);
      res.writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(buf.length),
        ...headers,
      });
      res.end(method === 'HEAD' ? undefined : buf);
    };
    const redirect = (status: number, location: string, headers: Record<string, string> = {}): void =>
      send(status, page(`${status} to ${location}`, `<p><a href="${escapeHtml(location)}">continue</a></p>`), {
        Location: location,
        ...headers,
      });
    const finalPage = (title: string, extra = '', headers: Record<string, string> = {}): void =>
      send(200, page(title, `<p>${escapeHtml(method)} ${escapeHtml(url.href)}</p>${extra}`), headers);

    const p = url.pathname;

    // Absolute, root-relative and path-relative Locations are mixed on purpose.
    switch (p) {
      case '/':
        if (host === 'hsts.dev' && scheme === 'https') return finalPage('HSTS preload: arrived over https');
        if (host === 'hsts.dev')
          // Chromium skips its static preload list when its build is more than 10 weeks older
          // than the clock (TransportSecurityState::IsBuildTimely), so this is reachable.
          return finalPage(
            'HSTS preload: NOT upgraded, arrived over http',
            '<p>This browser did not apply the HSTS preload list (builds older than 10 weeks ignore it).</p>',
          );
        return send(200, indexPage(server));
      case '/chain/start':
        return redirect(301, `${self}/chain/2`);
      case '/chain/2':
        return redirect(302, '/chain/3');
      case '/chain/3':
        return redirect(303, '4');
      case '/chain/4':
        return redirect(307, `${self}/chain/5`);
      case '/chain/5':
        return redirect(308, 'final');
      case '/chain/final':
        return finalPage('Chain of 3xx: final page');
      case '/echo':
        return finalPage(
          'Echo',
          `<p>Method: <b id="method">${escapeHtml(method)}</b></p><p>Body: <code id="body">${escapeHtml(body)}</code></p>`,
        );
      case '/cache/301':
        return redirect(301, '/cache/final?from=301');
      case '/cache/308':
        return redirect(308, `${self}/cache/final?from=308`);
      case '/cache/307-max-age':
        return redirect(307, '/cache/final?from=307', { 'Cache-Control': 'max-age=3600' });
      case '/cache/302':
        return redirect(302, 'final?from=302');
      case '/cache/final':
        return finalPage(`Cache scenario: final page (from ${url.searchParams.get('from') ?? '?'})`, '', {
          'Cache-Control': 'no-store',
        });
      case '/sts/set':
        return finalPage('HSTS header set', '', { 'Strict-Transport-Security': 'max-age=3600' });
      case '/sts/page':
        return finalPage(`HSTS header: page over ${scheme}`);
      case '/loop/a':
        return redirect(302, '/loop/b');
      case '/loop/b':
        return redirect(302, '/loop/a');
      case '/downgrade':
        return redirect(301, `http://plain.test:${port}/downgrade/landed`);
      case '/downgrade/landed':
        return finalPage(`Downgrade: landed over ${scheme}`);
      case '/hop':
        return redirect(
          302,
          host === 'a.test' ? `${scheme}://b.test:${port}/hop` : `${scheme}://localhost:${port}/hop/final`,
        );
      case '/hop/final':
        return finalPage('Cross host: final page');
      case '/ok':
        return finalPage('OK: no redirect');
      case '/slow/start':
        return redirect(302, '/slow/final');
      case '/slow/final':
        return finalPage('Slow: final page');
      case '/burst': {
        const n = Math.max(1, Math.min(5000, Number.parseInt(url.searchParams.get('n') ?? '200', 10) || 200));
        return send(200, burstPage(n));
      }
    }
    // Building blocks for mixed journeys: /r/<code>?to=URL redirects with that code;
    // /client/<how>?to=URL&delay=S answers 200 and moves on by itself.
    const to = url.searchParams.get('to') ?? '/client/landed';
    const generic = p.match(/^\/r\/(301|302|303|307|308)$/);
    if (generic) return redirect(Number(generic[1]), to);
    // Markup and script where a server controls the text (XSS tests): Location and a header.
    if (p === '/hostile') {
      return redirect(302, '/ok?q=<img src=x onerror=alert(1)>&u=javascript:alert(2)', {
        'X-Evil': '<script>window.pwned=1</script><img src=x onerror=window.pwned=2>',
      });
    }
    // Terminal escape sequences in the reason phrase and a header (Node refuses to send them,
    // so the response is written raw): OSC window title, screen clear, colour.
    if (p === '/hostile/terminal') {
      res.socket?.end(
        'HTTP/1.1 302 Found\x1b]0;pwned\x07\x1b[2J\r\n' +
          'Location: /ok?tag=after-escape\r\n' +
          'X-Evil: \x1b[31mred\x1b[0m\r\n' +
          'Content-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    const client = p.match(/^\/client\/(meta|refresh|replace|href)$/);
    if (client) {
      const delay = Math.max(0, Number(url.searchParams.get('delay') ?? 0) || 0);
      const how = client[1];
      if (how === 'refresh')
        return finalPage('Client redirect: Refresh header', '', { Refresh: `${delay}; url=${to}` });
      if (how === 'meta') {
        return finalPage(
          'Client redirect: meta refresh',
          `<meta http-equiv="refresh" content="${delay}; url=${escapeHtml(to)}">`,
        );
      }
      const call =
        how === 'replace' ? `location.replace(${JSON.stringify(to)})` : `location.href = ${JSON.stringify(to)}`;
      const script = delay ? `setTimeout(() => { ${call}; }, ${delay * 1000});` : `${call};`;
      return finalPage(`Client redirect: JavaScript ${how}`, `<script>${script.replace(/</g, '\\u003c')}</script>`);
    }
    if (p === '/client/landed') return finalPage('Client redirect: landed');
    const post = p.match(/^\/post\/(301|302|303|307|308)$/);
    if (post) return redirect(Number(post[1]), '/echo');
    const burst = p.match(/^\/burst\/(r|f|done)\/(\d+)$/);
    if (burst?.[1] === 'r') return redirect(302, `/burst/f/${burst[2]}`);
    if (burst?.[1] === 'f') return redirect(302, `/burst/done/${burst[2]}`);
    if (burst?.[1] === 'done') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`done ${burst[2]}`);
      return;
    }
    send(404, page('Not found', `<p>${escapeHtml(p)}</p>`));
  }

  return server;
}

function burstPage(n: number): string {
  return page(
    `Burst of ${n}`,
    `<p id="status">running</p><script>
const n = ${n};
Promise.allSettled(Array.from({ length: n }, (_, i) => fetch('/burst/r/' + i, { cache: 'no-store' }).then((r) => r.text())))
  .then((results) => {
    const failed = results.filter((r) => r.status === 'rejected').length;
    document.getElementById('status').textContent = (n - failed) + ' of ' + n + ' done';
    document.title = 'done';
  });
</script>`,
  );
}

function indexPage(s: ScenarioServer): string {
  const items = SCENARIOS.map((sc) => {
    const urls = sc.urls(s);
    const targets =
      sc.method === 'POST'
        ? urls
            .map((u) => {
              const fields = [...new URLSearchParams(sc.data ?? '')]
                .map(([k, v]) => `<input type="text" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
                .join(' ');
              return `<form method="POST" action="${escapeHtml(u)}">${fields} <button>POST to ${escapeHtml(u)}</button></form>`;
            })
            .join('')
        : urls
            .map((u, i) => `<a href="${escapeHtml(u)}">${urls.length > 1 ? `${i + 1}. ` : ''}${escapeHtml(u)}</a>`)
            .join('<br>');
    return `<li id="${escapeHtml(sc.id)}"><h2>${escapeHtml(sc.title)}</h2><p>${escapeHtml(sc.explains)}</p>${targets}</li>`;
  }).join('\n');
  return page('Hopscope scenarios', `<ul>\n${items}\n</ul>`);
}
