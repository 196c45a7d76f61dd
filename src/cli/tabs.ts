/**
 * A browser tab as `hopscope trace` drives it, whichever library drives the browser: Playwright
 * for Chromium (CDP), Puppeteer for Firefox (WebDriver BiDi; Playwright cannot load Firefox
 * extensions). A visit needs only these few things of a tab, so trace.ts is one code for both.
 */
import type { CDPSession, Page as PlaywrightPage, Request as PlaywrightRequest } from 'playwright-core';
import type { Page as PuppeteerPage, HTTPRequest as PuppeteerRequest } from 'puppeteer-core';

/** A form submission: the browser's own redirect rules then apply to its method and body. */
export interface FormSubmission {
  url: string;
  method?: string;
  /** `application/x-www-form-urlencoded` body, e.g. `a=1&b=2`. */
  data?: string;
}

export interface VisitTab {
  /**
   * Loads `url`; resolves once the browser has the final response (Chromium: committed;
   * Firefox: the document is interactive). Rejects with the browser's error code as the message
   * (net::ERR_…, NS_ERROR_…), or with an error named TimeoutError.
   */
  goto(url: string, timeoutMs: number): Promise<void>;
  /** Submits `form` as a real form, from a blank document in this tab. */
  submit(form: FormSubmission, timeoutMs: number): Promise<void>;
  /** Runs `fn` in the page; it is sent as text, so it must use no helper from outside. */
  evaluate<T>(fn: () => T): Promise<T>;
  /**
   * Calls back on what the page does by itself: a main-frame navigation request (`redirect`:
   * it continues one, a server redirect), a load, a new document, a crash. Returns a function
   * that stops listening.
   */
  watch(on: { request(redirect: boolean): void; load(): void; navigated(): void; crash(): void }): () => void;
  /** Closes the tab; one that is still moving (`settled` false) is made inert first where the browser allows it. */
  close(settled: boolean): Promise<void>;
}

/** The longest closing a settled page may take before the visit moves on. */
const CLOSE_MS = 3_000;

/** Resolves to the promise's value, or to undefined once `ms` passed or when it rejects. */
export function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The browser's own error code in a driver's error message, else its first line. */
export function navigationErrorOf(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  return /net::ERR_[A-Z_]+|NS_ERROR_[A-Z_]+|NS_BINDING_[A-Z_]+/.exec(text)?.[0] ?? text.split('\n')[0] ?? text;
}

/** Runs in the page: fills the blank form with the submission and sends it. */
const fillAndSubmit = ({ action, method, fields }: { action: string; method: string; fields: [string, string][] }) => {
  const form = document.querySelector('form') as HTMLFormElement;
  form.action = action;
  form.method = method;
  for (const [name, value] of fields) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  // After this script has answered: a navigation that commits first would destroy the context
  // the answer comes back from ("Execution context was destroyed").
  setTimeout(() => form.submit(), 0);
};

const BLANK_FORM = '<form method="post" enctype="application/x-www-form-urlencoded"></form>';

function formArgs(form: FormSubmission) {
  return { action: form.url, method: form.method ?? 'POST', fields: [...new URLSearchParams(form.data ?? '')] };
}

/** Sends the submission as a real form in a Playwright page. */
export async function submitForm(page: PlaywrightPage, form: FormSubmission, timeout: number): Promise<void> {
  await page.setContent(BLANK_FORM, { timeout });
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'commit', timeout }),
    page.evaluate(fillAndSubmit, formArgs(form)),
  ]);
}

/**
 * Makes a page inert (no script, no network, no loading) so that closing it cannot race a
 * navigation: Chromium may ignore a close that arrives while a navigation commits.
 */
async function quieten(page: PlaywrightPage): Promise<void> {
  let cdp: CDPSession | undefined;
  try {
    cdp = await bounded(page.context().newCDPSession(page), 500);
    if (!cdp) return;
    const session = cdp;
    await bounded(
      (async () => {
        await session.send('Emulation.setScriptExecutionDisabled', { value: true });
        await session.send('Network.enable');
        await session.send('Network.setBlockedURLs', { urls: ['*'] });
        await session.send('Page.stopLoading');
      })(),
      1_000,
    );
  } finally {
    void cdp?.detach().catch(() => undefined);
  }
}

/** Closes a page: a settled one at once (bounded); one still moving, or whose close hangs, is made inert first. */
async function retire(close: () => Promise<void>, settled: boolean, inert: () => Promise<void>): Promise<void> {
  const inertThenClose = async () => {
    await inert();
    await close().catch(() => undefined);
  };
  if (!settled) {
    void inertThenClose();
    return;
  }
  if (
    !(await bounded(
      close().then(() => true),
      CLOSE_MS,
    ))
  )
    void inertThenClose();
}

/** A Chromium tab, driven by Playwright. */
export function playwrightTab(page: PlaywrightPage): VisitTab {
  return {
    async goto(url, timeoutMs) {
      try {
        await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
      } catch (error) {
        if ((error as Error)?.name === 'TimeoutError') throw error;
        throw new Error(navigationErrorOf(error));
      }
    },
    submit: (form, timeoutMs) => submitForm(page, form, timeoutMs),
    evaluate: (fn) => page.evaluate(fn),
    watch(on) {
      const onRequest = (request: PlaywrightRequest) => {
        try {
          if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
        } catch {
          return;
        }
        on.request(request.redirectedFrom() !== null);
      };
      const onLoad = () => on.load();
      const onNavigated = () => on.navigated();
      const onCrash = () => on.crash();
      page.on('request', onRequest);
      page.on('load', onLoad);
      page.on('framenavigated', onNavigated);
      page.on('crash', onCrash);
      return () => {
        page.off('request', onRequest);
        page.off('load', onLoad);
        page.off('framenavigated', onNavigated);
        page.off('crash', onCrash);
      };
    },
    close: (settled) =>
      retire(
        () => page.close(),
        settled,
        () => quieten(page),
      ),
  };
}

/** A Firefox tab, driven by Puppeteer over WebDriver BiDi. */
export function puppeteerTab(page: PuppeteerPage): VisitTab {
  return {
    async goto(url, timeoutMs) {
      try {
        // BiDi has no "committed" wait; "interactive" comes right after it for the pages traced.
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
      } catch (error) {
        if ((error as Error)?.name === 'TimeoutError') throw error;
        throw new Error(navigationErrorOf(error));
      }
    },
    async submit(form, timeoutMs) {
      await page.setContent(BLANK_FORM, { timeout: timeoutMs });
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: timeoutMs }),
        page.evaluate(fillAndSubmit, formArgs(form)),
      ]);
    },
    evaluate: (fn) => page.evaluate(fn),
    watch(on) {
      const onRequest = (request: PuppeteerRequest) => {
        try {
          if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
          on.request(request.redirectChain().length > 0);
        } catch {
          // A request of a frame that is gone.
        }
      };
      const onLoad = () => on.load();
      const onNavigated = () => on.navigated();
      const onCrash = () => on.crash();
      page.on('request', onRequest);
      page.on('load', onLoad);
      page.on('framenavigated', onNavigated);
      page.on('error', onCrash);
      return () => {
        page.off('request', onRequest);
        page.off('load', onLoad);
        page.off('framenavigated', onNavigated);
        page.off('error', onCrash);
      };
    },
    // WebDriver BiDi has nothing like CDP's script and network switches: a close is all there is.
    close: (settled) =>
      retire(
        () => page.close(),
        settled,
        async () => undefined,
      ),
  };
}
