/**
 * Local fixture server for the demo, `hopscope trace` and the end-to-end tests.
 *
 * One loopback port serves both plain HTTP and HTTPS, so a scenario can hop between schemes
 * (HSTS upgrade, downgrade) without a second port: the first byte of each connection decides.
 * Hosts such as `a.test` or `hsts.dev` reach it through Chromium's `--host-resolver-rules`
 * (see `browserArgsFor`), and so do the default ports 80 and 443 of the `*.example.com` hosts
 * of the HTTPS-Upgrades scenarios.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { FALLBACK_DOMAIN, UPGRADE_HOST } from './hosts.ts';
import { exchangeFor, notFound, type Router, scenarioRoutes } from './routes.ts';
import { testRoutes } from './test-routes.ts';

export interface ScenarioServer {
  /** One port serving both plain HTTP and HTTPS on loopback. */
  port: number;
  /** e.g. origin('a.test') -> 'http://a.test:PORT'. */
  origin(host?: string, scheme?: 'http' | 'https'): string;
  /** Requests that reached the server for that pathname (or pathname+query when `path` has a `?`). */
  hits(path: string, host?: string): number;
  /** Requests received at that pathname, with their body text and when they came in (epoch ms). */
  received(path: string): Array<{ method: string; body: string; host: string; at: number }>;
  resetCounts(): void;
  /** The next request to `path` gets no response until release(); `arrived` resolves when it came in. */
  hold(path: string): { release(): void; arrived: Promise<void> };
  /**
   * A loopback port nothing listens on (taken from the system and released at start), where
   * https:// of the HTTPS-Upgrades fallback hosts leads: the connection is refused.
   */
  refusedPort: number;
  /** base64 sha256 of the certificate's SubjectPublicKeyInfo. */
  spkiHash: string;
  close(): Promise<void>;
}

export interface ScenarioServerOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Also serve the routes only tests use (`test-routes.ts`): a holdable redirect, hostile responses. */
  testRoutes?: boolean;
}

// Chromium's rule syntax: comma-separated "MAP <host pattern> <replacement>"; the first rule that
// matches wins; a pattern may name a port (`host:443`); without a port in the replacement the
// URL's port is kept.
export const HOST_RESOLVER_RULES = 'MAP *.test 127.0.0.1, MAP *.dev 127.0.0.1';

/**
 * The full rules for one server: `up.example.com` on ports 80 and 443 reaches the server (which
 * answers TLS or plain HTTP on one port), any other `*.example.com` reaches it on port 80 and
 * is refused on 443; `*.example.com` on other ports, `*.test` and `*.dev` reach it too.
 */
export function hostResolverRules(s: Pick<ScenarioServer, 'port' | 'refusedPort'>): string {
  return [
    `MAP ${UPGRADE_HOST}:80 127.0.0.1:${s.port}`,
    `MAP ${UPGRADE_HOST}:443 127.0.0.1:${s.port}`,
    `MAP *.${FALLBACK_DOMAIN}:80 127.0.0.1:${s.port}`,
    `MAP *.${FALLBACK_DOMAIN}:443 127.0.0.1:${s.refusedPort}`,
    `MAP *.${FALLBACK_DOMAIN} 127.0.0.1`,
    HOST_RESOLVER_RULES,
  ].join(', ');
}

export function browserArgsFor(s: ScenarioServer): string[] {
  return [`--host-resolver-rules=${hostResolverRules(s)}`, `--ignore-certificate-errors-spki-list=${s.spkiHash}`];
}

/** The loopback certificate (PEM), for browsers that trust a file: Firefox through certutil. */
export const TLS_CERT_PATH = fileURLToPath(new URL('./tls/cert.pem', import.meta.url));

/**
 * What Firefox needs to reach the scenario hosts: every name resolves to loopback (the URL's port
 * is kept). Firefox has no per-port mapping, so the HTTPS-Upgrades hosts on ports 80 and 443 do
 * not apply to it. The certificate is trusted with `TLS_CERT_PATH`.
 */
export function firefoxPrefsFor(_s: ScenarioServer): Record<string, string> {
  return { 'network.dns.forceResolve': '127.0.0.1' };
}

/** A loopback port that nothing listens on: bound once, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const TLS_DIR = new URL('./tls/', import.meta.url);

/** The loopback certificate in `tls/` and the hash Chromium is told to trust. */
function loadTls(): { cert: Buffer; key: Buffer; spkiHash: string } {
  const cert = readFileSync(new URL('cert.pem', TLS_DIR));
  const key = readFileSync(new URL('key.pem', TLS_DIR));
  const spkiDer = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, spkiHash: createHash('sha256').update(spkiDer).digest('base64') };
}

interface Received {
  method: string;
  pathname: string;
  search: string;
  host: string;
  body: string;
  at: number;
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

export async function startScenarioServer(opts: ScenarioServerOptions = {}): Promise<ScenarioServer> {
  const { cert, key, spkiHash } = loadTls();
  const routers: Router[] = opts.testRoutes ? [scenarioRoutes, testRoutes] : [scenarioRoutes];

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

  const refusedPort = await freePort();

  const server: ScenarioServer = {
    port,
    refusedPort,
    spkiHash,
    origin: (host = 'localhost', scheme = 'http') => `${scheme}://${host}:${port}`,
    hits: (path, host) => matching(path).filter((r) => host === undefined || r.host === host).length,
    received: (path) => matching(path).map(({ method, body, host, at }) => ({ method, body, host, at })),
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
    const x = exchangeFor(req, res, body, server);
    log.push({ method: x.method, pathname: x.url.pathname, search: x.url.search, host: x.host, body, at: Date.now() });

    const held = holds.get(x.url.pathname)?.shift();
    if (held) await held.take();
    if (res.destroyed) return;

    for (const route of routers) if (route(x)) return;
    notFound(x);
  }

  return server;
}
