/**
 * The routes behind the scenario catalogue and the demo's index page. Routes only the tests use
 * are in `test-routes.ts`.
 */
import type http from 'node:http';
import { SCENARIOS } from './catalogue.ts';
import { FALLBACK_DOMAIN, UPGRADE_HOST } from './hosts.ts';
import type { ScenarioServer } from './server.ts';

/** Marks a request as answered. */
export type Answered = true;

/** One request as a router sees it, with the ways to answer it. */
export interface Exchange {
  url: URL;
  host: string;
  scheme: 'http' | 'https';
  method: string;
  body: string;
  /** `scheme://Host`, as the client addressed the server. */
  self: string;
  res: http.ServerResponse;
  server: ScenarioServer;
  send(status: number, html: string, headers?: Record<string, string>): Answered;
  redirect(status: number, location: string, headers?: Record<string, string>): Answered;
  /** A 200 page that shows the method and URL it was reached with. */
  finalPage(title: string, extra?: string, headers?: Record<string, string>): Answered;
}

/** Answers the request and returns true, or returns false when the path is not one of its own. */
export type Router = (x: Exchange) => boolean;

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const page = (title: string, body: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}\n`;

/** Throws on a Host header that is not a host: the server answers 400. */
export function exchangeFor(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
  server: ScenarioServer,
): Exchange {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const self = `${scheme}://${req.headers.host ?? `localhost:${server.port}`}`;
  const url = new URL(req.url ?? '/', self);
  const method = req.method ?? 'GET';
  const send = (status: number, html: string, headers: Record<string, string> = {}): Answered => {
    const buf = Buffer.from(html);
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(buf.length),
      ...headers,
    });
    res.end(method === 'HEAD' ? undefined : buf);
    return true;
  };
  return {
    url,
    host: url.hostname,
    scheme,
    method,
    body,
    self,
    res,
    server,
    send,
    redirect: (status, location, headers = {}) =>
      send(status, page(`${status} to ${location}`, `<p><a href="${escapeHtml(location)}">continue</a></p>`), {
        Location: location,
        ...headers,
      }),
    finalPage: (title, extra = '', headers = {}) =>
      send(200, page(title, `<p>${escapeHtml(method)} ${escapeHtml(url.href)}</p>${extra}`), headers),
  };
}

export const notFound = (x: Exchange): Answered =>
  x.send(404, page('Not found', `<p>${escapeHtml(x.url.pathname)}</p>`));

/** Every path a catalogue scenario reaches, and the index page that links them. */
export const scenarioRoutes: Router = (x) => {
  const { url, host, scheme, method, body, self, res, server } = x;
  const { port } = server;
  const p = url.pathname;

  // Absolute, root-relative and path-relative Locations are mixed on purpose.
  switch (p) {
    case '/':
      if (host === 'hsts.dev' && scheme === 'https') return x.finalPage('HSTS preload: arrived over https');
      if (host === 'hsts.dev')
        // Chromium skips its static preload list when its build is more than 10 weeks older
        // than the clock (TransportSecurityState::IsBuildTimely), so this is reachable.
        return x.finalPage(
          'HSTS preload: NOT upgraded, arrived over http',
          '<p>This browser did not apply the HSTS preload list (builds older than 10 weeks ignore it).</p>',
        );
      if (host === UPGRADE_HOST || host.endsWith(`.${FALLBACK_DOMAIN}`))
        return x.finalPage(`HTTPS-Upgrades: arrived over ${scheme}`);
      return x.send(200, indexPage(server));
    // HTTPS-Upgrades mid-chain: a secure page sends the browser to http:// of its own host on the
    // default port, which Chrome upgrades again (the Location is deliberately http://).
    case '/a':
      return x.redirect(302, `http://${host}/b`);
    case '/b':
      return x.finalPage(`HTTPS-Upgrades mid-chain: /b over ${scheme}`);
    case '/end':
      return x.finalPage('Client redirect: the end');
    case '/chain/start':
      return x.redirect(301, `${self}/chain/2`);
    case '/chain/2':
      return x.redirect(302, '/chain/3');
    case '/chain/3':
      return x.redirect(303, '4');
    case '/chain/4':
      return x.redirect(307, `${self}/chain/5`);
    case '/chain/5':
      return x.redirect(308, 'final');
    case '/chain/final':
      return x.finalPage('Chain of 3xx: final page');
    case '/echo':
      return x.finalPage(
        'Echo',
        `<p>Method: <b id="method">${escapeHtml(method)}</b></p><p>Body: <code id="body">${escapeHtml(body)}</code></p>`,
      );
    case '/cache/301':
      return x.redirect(301, '/cache/final?from=301');
    case '/cache/308':
      return x.redirect(308, `${self}/cache/final?from=308`);
    case '/cache/307-max-age':
      return x.redirect(307, '/cache/final?from=307', { 'Cache-Control': 'max-age=3600' });
    case '/cache/302':
      return x.redirect(302, 'final?from=302');
    case '/cache/final':
      return x.finalPage(`Cache scenario: final page (from ${url.searchParams.get('from') ?? '?'})`, '', {
        'Cache-Control': 'no-store',
      });
    case '/sts/set':
      return x.finalPage('HSTS header set', '', { 'Strict-Transport-Security': 'max-age=3600' });
    case '/sts/page':
      return x.finalPage(`HSTS header: page over ${scheme}`);
    case '/sts/via':
      return x.redirect(302, `http://sts.test:${port}/sts/page`);
    case '/loop/a':
      return x.redirect(302, '/loop/b');
    case '/loop/b':
      return x.redirect(302, '/loop/a');
    case '/downgrade':
      return x.redirect(301, `http://plain.test:${port}/downgrade/landed`);
    case '/downgrade/landed':
      return x.finalPage(`Downgrade: landed over ${scheme}`);
    case '/hop':
      return x.redirect(
        302,
        host === 'a.test' ? `${scheme}://b.test:${port}/hop` : `${scheme}://localhost:${port}/hop/final`,
      );
    case '/hop/final':
      return x.finalPage('Cross host: final page');
    case '/ok':
      return x.finalPage('OK: no redirect');
    case '/burst': {
      const n = Math.max(1, Math.min(5000, Number.parseInt(url.searchParams.get('n') ?? '200', 10) || 200));
      return x.send(200, burstPage(n));
    }
  }
  // Building blocks for mixed journeys: /r/<code>?to=URL redirects with that code;
  // /client/<how>?to=URL&delay=S answers 200 and moves on by itself.
  const to = url.searchParams.get('to') ?? '/client/landed';
  const generic = p.match(/^\/r\/(301|302|303|307|308)$/);
  if (generic) return x.redirect(Number(generic[1]), to);
  const client = p.match(/^\/client\/(meta|refresh|replace|href)$/);
  if (client) {
    const delay = Math.max(0, Number(url.searchParams.get('delay') ?? 0) || 0);
    const how = client[1];
    if (how === 'refresh')
      return x.finalPage('Client redirect: Refresh header', '', { Refresh: `${delay}; url=${to}` });
    if (how === 'meta') {
      return x.finalPage(
        'Client redirect: meta refresh',
        `<meta http-equiv="refresh" content="${delay}; url=${escapeHtml(to)}">`,
      );
    }
    const call =
      how === 'replace' ? `location.replace(${JSON.stringify(to)})` : `location.href = ${JSON.stringify(to)}`;
    const script = delay ? `setTimeout(() => { ${call}; }, ${delay * 1000});` : `${call};`;
    return x.finalPage(`Client redirect: JavaScript ${how}`, `<script>${script.replace(/</g, '\\u003c')}</script>`);
  }
  if (p === '/client/landed') return x.finalPage('Client redirect: landed');
  // A script that moves on after a short timer: setTimeout(() => location.replace(to), ms).
  if (p === '/client/timer') {
    const ms = Math.max(0, Math.min(60_000, Number(url.searchParams.get('ms') ?? 50) || 0));
    const script = `setTimeout(() => location.replace(${JSON.stringify(to)}), ${ms});`;
    return x.finalPage('Client redirect: JavaScript timer', `<script>${script.replace(/</g, '\\u003c')}</script>`);
  }
  const post = p.match(/^\/post\/(301|302|303|307|308)$/);
  if (post) return x.redirect(Number(post[1]), '/echo');
  const burst = p.match(/^\/burst\/(r|f|done)\/(\d+)$/);
  if (burst?.[1] === 'r') return x.redirect(302, `/burst/f/${burst[2]}`);
  if (burst?.[1] === 'f') return x.redirect(302, `/burst/done/${burst[2]}`);
  if (burst?.[1] === 'done') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`done ${burst[2]}`);
    return true;
  }
  return false;
};

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
