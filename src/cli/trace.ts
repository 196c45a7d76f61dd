/**
 * Visits URLs in one browser profile, in order, and reads back the main-frame chains the
 * extension recorded for each visit.
 */
import type { Page } from 'playwright-core';
import { analyze, type AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { describeNetError } from '../core/present/explain/index.ts';
import { plural } from '../core/present/plural.ts';
import { refreshDelay } from '../core/record/recorder.ts';
import { type ExtensionBrowser, UserError } from './browser.ts';

export interface TraceTarget {
  url: string;
  method?: string;
  /** `application/x-www-form-urlencoded` body, sent by submitting a real form. */
  data?: string;
}

export interface TraceResult {
  target: TraceTarget;
  /** Main-frame chains started by this visit (normally one). */
  chains: Chain[];
  /** What the page load itself reported, e.g. net::ERR_CONNECTION_REFUSED. */
  navigationError?: string;
}

/**
 * Turns what the user typed into an absolute http(s) URL. A bare host such as
 * `example.com/path` is taken as http://, as the address bar does.
 */
export function parseTargetUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text)
    ? text
    : /^[\w.-]+(:\d+)?(\/|$)/.test(text)
      ? `http://${text}`
      : text;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(`'${input}' is not a URL. Give a full URL such as https://example.com/path.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`'${input}' is not an http(s) URL: Hopscope traces http:// and https:// URLs only.`);
  }
  return url.href;
}

async function submitForm(page: Page, target: TraceTarget): Promise<void> {
  const fields = [...new URLSearchParams(target.data ?? '')];
  await page.setContent('<form method="post" enctype="application/x-www-form-urlencoded"></form>');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 }),
    page.evaluate(
      ({ action, method, fields }) => {
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
        form.submit();
      },
      { action: target.url, method: target.method ?? 'POST', fields },
    ),
  ]);
}

const ENDED_TIMEOUT_MS = 30_000;
const MAX_CLIENT_REDIRECTS = 10;
/** A declared refresh longer than this is reported, not waited for. */
const MAX_REFRESH_WAIT_S = 60;

function withoutFragment(url: string): string {
  return url.split('#')[0] ?? url;
}

/**
 * Waits until every main-frame chain this visit started has ended and the page the tab shows
 * is the end of one of them (a client redirect has then been joined to its journey).
 */
async function settle(browser: ExtensionBrowser, page: Page, known: ReadonlySet<string>): Promise<Chain[]> {
  const deadline = Date.now() + ENDED_TIMEOUT_MS;
  for (;;) {
    const chains = (await browser.chains()).filter((c) => !known.has(c.id) && c.type === 'main_frame').map(analyze);
    const shown = withoutFragment(page.url());
    const ended = chains.length > 0 && chains.every((c) => c.outcome.state !== 'pending');
    const landed = chains.some((c) => withoutFragment(c.hops.at(-1)?.url ?? '') === shown) || !shown.startsWith('http');
    if ((ended && landed) || Date.now() > deadline) return chains;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How long to wait for a refresh the shown page announced (Refresh header or meta tag). */
async function clientRedirectWait(page: Page, chain: Chain | undefined): Promise<number | undefined> {
  const last = chain?.hops.at(-1);
  if (!last || last.error) return undefined;
  const header = last.responseHeaders.find((h) => h.name.toLowerCase() === 'refresh')?.value;
  const meta = await page
    .evaluate(() => document.querySelector<HTMLMetaElement>('meta[http-equiv="refresh" i]')?.content)
    .catch(() => undefined);
  const delay = refreshDelay(header ?? meta);
  if (delay === undefined || delay > MAX_REFRESH_WAIT_S) return undefined;
  return delay * 1000 + 5000;
}

export async function traceTargets(browser: ExtensionBrowser, targets: readonly TraceTarget[]): Promise<TraceResult[]> {
  const results: TraceResult[] = [];
  for (const target of targets) {
    const known = new Set((await browser.chains()).map((c) => c.id));
    // A fresh tab per visit: an error page left in a tab can interrupt the next load.
    const page = await browser.context.newPage();
    let navigationError: string | undefined;
    try {
      if (target.method && target.method.toUpperCase() !== 'GET') await submitForm(page, target);
      else await page.goto(target.url, { waitUntil: 'load', timeout: 30_000 });
    } catch (error) {
      navigationError = /net::ERR_[A-Z_]+/.exec(String(error))?.[0] ?? String(error).split('\n')[0];
    }
    let chains = await settle(browser, page, known);
    // A page may move on by itself (meta refresh, Refresh header): follow it into the journey.
    for (let i = 0; i < MAX_CLIENT_REDIRECTS; i++) {
      const last = chains.at(-1)?.hops.at(-1)?.url;
      const waitMs = await clientRedirectWait(page, chains.at(-1));
      if (waitMs === undefined || last === undefined) break;
      // Polling the URL, not waiting for an event: a 0 s refresh may already have happened.
      const until = Date.now() + waitMs;
      while (withoutFragment(page.url()) === withoutFragment(last) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (withoutFragment(page.url()) === withoutFragment(last)) break;
      await page.waitForLoadState('load').catch(() => undefined);
      chains = await settle(browser, page, known);
    }
    await page.close();
    results.push(navigationError ? { target, chains, navigationError } : { target, chains });
  }
  return results;
}

/** One line saying what went wrong with a visit and what to do, or undefined when it went fine. */
export function problemLine(result: TraceResult): string | undefined {
  const last = result.chains.at(-1);
  const outcome = last?.outcome;
  if (outcome?.state === 'error') {
    if (outcome.tooManyRedirects) {
      return `${result.target.url} redirects in a loop: the browser gave up after ${plural(last?.summary.redirects ?? 0, 'redirect')}.`;
    }
    const host = (() => {
      try {
        return new URL(last?.hops.at(-1)?.url ?? result.target.url).host;
      } catch {
        return result.target.url;
      }
    })();
    const advice = describeNetError(outcome.error).advice ?? 'see the chain above for where it stopped';
    return `could not load ${host} (${outcome.error}): ${advice}.`;
  }
  if (!result.chains.length) {
    return `no chain was recorded for ${result.target.url}${result.navigationError ? ` (${result.navigationError})` : ''}.`;
  }
  if (outcome?.state === 'pending')
    return `${result.target.url} did not finish loading within ${ENDED_TIMEOUT_MS / 1000} s.`;
  return undefined;
}
