/**
 * What Chrome DevTools' Network panel shows for the navigations of one tab, rebuilt from the
 * CDP Network domain on that page, as the reference for the DevTools parity test
 * (tests/e2e/parity.test.ts).
 *
 * DevTools shows one row per request; a redirected navigation keeps its requestId, and each
 * `Network.requestWillBeSent` that carries a `redirectResponse` closes the previous hop (its
 * URL, status, method, `Non-Authoritative-Reason` header, `fromDiskCache`). The last hop is
 * closed by `Network.responseReceived` or `Network.loadingFailed` of the Document. A client
 * redirect (meta refresh, `Refresh` header, JavaScript) is a new navigation: a new requestId.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/** The parts of CDP's Network events read here (playwright-core does not export its Protocol types). */
interface CdpResponse {
  url: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  fromDiskCache?: boolean;
  fromPrefetchCache?: boolean;
}
interface RequestWillBeSent {
  requestId: string;
  frameId?: string;
  type?: string;
  request: { url: string; method: string };
  redirectResponse?: CdpResponse;
}
interface ResponseReceived {
  requestId: string;
  type: string;
  response: CdpResponse;
}
interface LoadingFailed {
  requestId: string;
  type: string;
  errorText: string;
}

/** One exchange as DevTools shows it. */
export interface DevToolsHop {
  url: string;
  method: string;
  /** 0 while pending or when the request failed before a response. */
  status: number;
  statusText: string;
  /** The `Non-Authoritative-Reason` response header: the browser made this hop up itself. */
  internalReason?: string;
  fromCache: boolean;
  /** `Network.loadingFailed`'s errorText, when the request failed on this hop. */
  error?: string;
  responseHeaders: Record<string, string>;
  /** Set once DevTools knows how the hop ended (redirect, response or failure). */
  ended: boolean;
}

/** One main-frame navigation: one DevTools request with its redirects. */
export interface DevToolsNavigation {
  requestId: string;
  hops: DevToolsHop[];
}

const header = (headers: Record<string, string>, name: string): string | undefined => {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
};

/** Records the main-frame document navigations of one page through CDP. */
export class DevToolsNetwork {
  readonly navigations: DevToolsNavigation[] = [];
  /** Date.now() of the last Document event: how long the tab has been quiet. */
  lastEventAt = Date.now();
  private readonly byRequest = new Map<string, DevToolsNavigation>();

  private constructor(
    readonly session: CDPSession,
    private readonly mainFrameId: string,
  ) {
    session.on('Network.requestWillBeSent', (e) => this.onRequest(e));
    session.on('Network.responseReceived', (e) => this.onResponse(e));
    session.on('Network.loadingFailed', (e) => this.onFailed(e));
  }

  /** Attaches to `page` (before it navigates) and enables the Network domain. */
  static async attach(context: BrowserContext, page: Page): Promise<DevToolsNetwork> {
    const session = await context.newCDPSession(page);
    const { frameTree } = await session.send('Page.getFrameTree');
    const network = new DevToolsNetwork(session, frameTree.frame.id);
    await session.send('Network.enable');
    return network;
  }

  private isMainDocument(e: { type?: string; frameId?: string }): boolean {
    return e.type === 'Document' && e.frameId === this.mainFrameId;
  }

  private onRequest(e: RequestWillBeSent): void {
    if (!this.isMainDocument(e)) return;
    this.lastEventAt = Date.now();
    let nav = this.byRequest.get(e.requestId);
    const rr = e.redirectResponse;
    if (nav && rr) {
      const hop = nav.hops.at(-1);
      if (hop) Object.assign(hop, fromResponse(rr));
    } else if (!nav) {
      nav = { requestId: e.requestId, hops: [] };
      this.byRequest.set(e.requestId, nav);
      this.navigations.push(nav);
    }
    nav.hops.push({
      url: e.request.url,
      method: e.request.method,
      status: 0,
      statusText: '',
      fromCache: false,
      responseHeaders: {},
      ended: false,
    });
  }

  private onResponse(e: ResponseReceived): void {
    if (e.type !== 'Document') return;
    const hop = this.byRequest.get(e.requestId)?.hops.at(-1);
    if (!hop) return;
    this.lastEventAt = Date.now();
    Object.assign(hop, fromResponse(e.response));
  }

  private onFailed(e: LoadingFailed): void {
    if (e.type !== 'Document') return;
    const hop = this.byRequest.get(e.requestId)?.hops.at(-1);
    if (!hop) return;
    this.lastEventAt = Date.now();
    // A page that answered and was then left (a client redirect) is canceled: it still answered.
    if (hop.ended) return;
    hop.error = e.errorText;
    hop.ended = true;
  }

  /** The last hop DevTools shows, once every navigation has ended. */
  get settled(): boolean {
    return this.navigations.length > 0 && this.navigations.every((n) => n.hops.every((h) => h.ended));
  }

  /** The URL the tab shows in the end (the last hop of the last navigation). */
  get finalUrl(): string | undefined {
    return this.navigations.at(-1)?.hops.at(-1)?.url;
  }

  /** The delay a `Refresh` response header of the last page asks for, in seconds. */
  get refreshHeaderDelay(): number | undefined {
    const last = this.navigations.at(-1)?.hops.at(-1);
    return refreshDelay(last && header(last.responseHeaders, 'refresh'));
  }

  async detach(): Promise<void> {
    await this.session.detach().catch(() => undefined);
  }
}

function fromResponse(r: CdpResponse): Partial<DevToolsHop> {
  const internalReason = header(r.headers, 'non-authoritative-reason');
  return {
    status: r.status,
    statusText: r.statusText,
    fromCache: Boolean(r.fromDiskCache || r.fromPrefetchCache),
    responseHeaders: r.headers,
    ended: true,
    ...(internalReason ? { internalReason } : {}),
  };
}

/** `0; url=/x` → 0; undefined when the value is not a refresh. */
export function refreshDelay(value: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?)/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the tab has stopped navigating: every navigation ended, the page loaded, nothing
 * new for `quietMs` (a 0 s refresh or a short JavaScript timer starts well within it), and no
 * refresh the page declared (meta tag or `Refresh` header, up to `maxRefreshS`) is still due.
 * Returns false on timeout.
 */
export async function waitUntilSettled(
  network: DevToolsNetwork,
  page: Page,
  { quietMs = 500, maxRefreshS = 10, timeoutMs = 30_000 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) return false;
    if (!network.settled) {
      await sleep(25);
      continue;
    }
    await page.waitForLoadState('load', { timeout: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    const count = network.navigations.length;
    const meta = await page
      .evaluate(() => document.querySelector<HTMLMetaElement>('meta[http-equiv="refresh" i]')?.content)
      .catch(() => undefined);
    const declared = [refreshDelay(meta), network.refreshHeaderDelay].filter(
      (d): d is number => d !== undefined && d <= maxRefreshS,
    );
    const waitMs = Math.max(quietMs, ...declared.map((d) => d * 1000 + 3000));
    const until = Math.min(deadline, Math.max(network.lastEventAt + quietMs, Date.now()) + waitMs - quietMs);
    while (Date.now() < until && network.navigations.length === count) await sleep(25);
    if (network.navigations.length === count && network.settled && Date.now() - network.lastEventAt >= quietMs) {
      return true;
    }
  }
}
