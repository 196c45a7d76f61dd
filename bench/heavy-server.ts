/**
 * Bench-only fixture server: a heavy page (many subresources, half of them behind a 2-hop 302,
 * reached through a redirected main frame), cheap redirect routes for fetch() bursts, and a
 * one-hop redirect for `hopscope trace`. Plain HTTP/1.1 on loopback, keep-alive, tiny bodies,
 * so the browser's own work dominates what is measured.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeavyServer {
  port: number;
  origin: string;
  close(): Promise<void>;
}

// A 1×1 transparent GIF.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The heavy page: `n` images, the odd ones through /r2/ → /r1/ → /img/ (two 302s). */
function heavyPage(n: number, run: string): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = i % 2 ? `/r2/img/${run}/${i}.gif` : `/img/${run}/${i}.gif`;
    parts.push(`<img src="${path}" width="1" height="1" alt="">`);
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>heavy ${run}</title></head><body><h1>heavy</h1>${parts.join('')}</body></html>`;
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer = '') {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export async function startHeavyServer(): Promise<HeavyServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    const cors = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };
    if (p.startsWith('/r2/')) {
      // 2-hop redirect: /r2/X → /r1/X → /X
      send(res, 302, { Location: `/r1/${p.slice(4)}${url.search}`, ...cors });
    } else if (p.startsWith('/r1/')) {
      send(res, 302, { Location: `/${p.slice(4)}${url.search}`, ...cors });
    } else if (p.startsWith('/img/')) {
      send(res, 200, { 'Content-Type': 'image/gif', ...cors }, GIF);
    } else if (p === '/heavy/start') {
      // The redirected main frame: two 302s before the page.
      send(res, 302, { Location: `/heavy/mid${url.search}`, ...cors });
    } else if (p === '/heavy/mid') {
      send(res, 302, { Location: `/heavy/page${url.search}`, ...cors });
    } else if (p === '/heavy/page') {
      const n = Number(url.searchParams.get('n') ?? 300);
      const run = (url.searchParams.get('run') ?? '0').replace(/[^\w-]/g, '');
      send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...cors }, heavyPage(n, run));
    } else if (p === '/one') {
      send(res, 302, { Location: '/final', ...cors });
    } else if (p === '/final' || p === '/blank') {
      send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...cors }, '<!doctype html><title>ok</title><p>ok');
    } else if (p.startsWith('/ok')) {
      send(res, 200, { 'Content-Type': 'text/plain', ...cors }, 'ok');
    } else {
      send(res, 404, { 'Content-Type': 'text/plain', ...cors }, 'not found');
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
