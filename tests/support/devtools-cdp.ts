/**
 * Raw CDP access to the real DevTools window, for the one end-to-end test that drives the
 * Redirects panel inside DevTools (tests/e2e/devtools-panel.test.ts).
 *
 * TIED TO THE CHROMIUM VERSION (checked with Chromium 150 and 156): the DevTools frontend is not
 * an API. What this file relies on, any of which may change between versions (the test probes
 * them with `frontendInternalsProblem` and skips, saying which one is missing, rather than fail):
 * - with `--auto-open-devtools-for-tabs`, each tab's DevTools is a target whose URL starts with
 *   `devtools://devtools/`, listed by `Target.getTargets` (type "other", later "page");
 * - the frontend's modules load from `devtools://devtools/bundled/`, and
 *   `ui/legacy/legacy.js` exports `ViewManager.ViewManager.instance()` with a `views` map,
 *   `showView(id)` and `isViewVisible(id)`;
 * - an extension panel's view id is the extension origin followed by the panel title, e.g.
 *   `chrome-extension://<id>Redirects`;
 * - the panel page is an out-of-process iframe target of type "iframe";
 * - non-flattened sessions (`Target.attachToTarget` with `flatten: false`, then
 *   `Target.sendMessageToTarget`) still work: Playwright's public CDPSession cannot route
 *   flattened child sessions, so this is how a test reaches a target Playwright does not model.
 */
import type { CDPSession } from 'playwright-core';

/** Polls `probe` until it returns a value; then throws `step: <last reason>` on timeout. */
export async function waitFor<T>(
  step: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message.split('\n')[0] ?? String(error);
    }
    if (Date.now() > deadline) throw new Error(`${step} (after ${timeoutMs} ms; last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  method: string;
}

/** A non-flattened CDP session to one target, tunnelled through the browser session. */
export class TargetSession {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly browser: CDPSession,
    readonly sessionId: string,
    readonly url: string,
  ) {
    browser.on('Target.receivedMessageFromTarget', this.onMessage);
    browser.on('Target.detachedFromTarget', this.onDetached);
  }

  static async attach(browser: CDPSession, targetId: string, url: string): Promise<TargetSession> {
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: false });
    return new TargetSession(browser, sessionId, url);
  }

  private readonly onMessage = (event: { sessionId: string; message: string }): void => {
    if (event.sessionId !== this.sessionId) return;
    const message = JSON.parse(event.message) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id === undefined) return; // an event: nothing here subscribes to any
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  };

  private readonly onDetached = (event: { sessionId: string }): void => {
    if (event.sessionId !== this.sessionId) return;
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.url} detached`));
    this.pending.clear();
  };

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.url} is detached`));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, method });
      this.browser
        .send('Target.sendMessageToTarget', {
          sessionId: this.sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch((error: Error) => {
          this.pending.delete(id);
          reject(error);
        });
    });
  }

  /** Evaluates an expression (awaiting a promise) and returns its JSON value; throws its exception. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) {
      throw new Error(exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text);
    }
    return result.value as T;
  }

  async detach(): Promise<void> {
    this.browser.off('Target.receivedMessageFromTarget', this.onMessage);
    this.browser.off('Target.detachedFromTarget', this.onDetached);
    if (this.closed) return;
    this.closed = true;
    await this.browser.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
  }
}

/** Waits for exactly one target matching `predicate` and attaches to it. */
export async function attachWhenListed(
  browser: CDPSession,
  step: string,
  timeoutMs: number,
  predicate: (target: { type: string; url: string }) => boolean,
): Promise<TargetSession> {
  const target = await waitFor(step, timeoutMs, async () => {
    const { targetInfos } = await browser.send('Target.getTargets');
    const found = targetInfos.filter(predicate);
    if (found.length > 1) throw new Error(`${found.length} matching targets: ${found.map((t) => t.url).join(', ')}`);
    if (!found[0]) {
      throw new Error(`targets are ${targetInfos.map((t) => `${t.type} ${t.url.slice(0, 80)}`).join(' | ')}`);
    }
    return found[0];
  });
  return TargetSession.attach(browser, target.targetId, target.url);
}

/** The DevTools frontend's view id of an extension panel (Chromium 150 and 156: origin + title). */
export const extensionPanelViewId = (extensionId: string, title: string): string =>
  `chrome-extension://${extensionId}${title}`;

/**
 * What this file needs from the frontend and this one lacks, in a few words; undefined when it
 * has it all: the bundled `ui/legacy/legacy.js` module and its ViewManager with a `views` map,
 * `showView` and `isViewVisible`. Waits up to `timeoutMs` for the frontend to load.
 */
export async function frontendInternalsProblem(
  frontend: TargetSession,
  timeoutMs: number,
): Promise<string | undefined> {
  const expression = `(async () => {
    let UI;
    try {
      UI = await import('./ui/legacy/legacy.js');
    } catch (error) {
      return 'no module ui/legacy/legacy.js (' + String(error).split('\\n')[0] + ')';
    }
    const instance = UI?.ViewManager?.ViewManager?.instance;
    if (typeof instance !== 'function') return 'no UI.ViewManager.ViewManager.instance()';
    const views = instance();
    if (!(views?.views instanceof Map)) return 'no ViewManager views map';
    if (typeof views.showView !== 'function') return 'no ViewManager.showView()';
    if (typeof views.isViewVisible !== 'function') return 'no ViewManager.isViewVisible()';
    return 'ok';
  })()`;
  try {
    const outcome = await waitFor('DevTools frontend did not answer', timeoutMs, async () => {
      const value = await frontend.evaluate<string>(expression);
      // A module that is still loading answers later; anything else is the answer.
      return value;
    });
    return outcome === 'ok' ? undefined : outcome;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The view id under which the frontend registered an extension's panel: the known form
 * (`extensionPanelViewId`) or, when a version spells it otherwise, the one extension view whose
 * id names the extension and whose title is the panel's. Undefined until it is registered.
 */
export async function findExtensionPanelView(
  frontend: TargetSession,
  extensionId: string,
  title: string,
): Promise<string | undefined> {
  const known = extensionPanelViewId(extensionId, title);
  return frontend.evaluate<string | undefined>(`(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    const views = UI.ViewManager.ViewManager.instance().views;
    if (views.has(${JSON.stringify(known)})) return ${JSON.stringify(known)};
    const titled = (v) => { try { return typeof v.title === 'function' ? v.title() : v.title; } catch { return undefined; } };
    const found = [...views].filter(([id, v]) => id.includes(${JSON.stringify(extensionId)}) && titled(v) === ${JSON.stringify(title)});
    return found.length === 1 ? found[0][0] : undefined;
  })()`);
}

/**
 * Shows a view in the DevTools frontend once it is registered (an extension panel appears a
 * moment after the frontend loads, when the extension's devtools page has run). Throws with
 * the extension views the frontend knows when it never shows.
 */
export async function showDevToolsView(frontend: TargetSession, viewId: string, timeoutMs: number): Promise<void> {
  // The frontend's bundled modules; importing one again gives the instance DevTools itself uses.
  const expression = `(async () => {
    const UI = await import('./ui/legacy/legacy.js');
    const views = UI.ViewManager.ViewManager.instance();
    const id = ${JSON.stringify(viewId)};
    if (!views.views.has(id)) {
      const extensionViews = [...views.views.keys()].filter((k) => k.includes('://'));
      return 'view not registered; extension views: ' + (extensionViews.join(', ') || 'none');
    }
    await views.showView(id);
    return views.isViewVisible(id) ? 'shown' : 'showView did not make it visible';
  })()`;
  await waitFor(`${viewId} not shown`, timeoutMs, async () => {
    const outcome = await frontend.evaluate<string>(expression);
    if (outcome !== 'shown') throw new Error(outcome);
    return outcome;
  });
}
