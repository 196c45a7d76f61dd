/**
 * Panel figures: a large store put into the real service worker's recorder, then the panel
 * page opened on it as an extension tab (time to the first painted row) and one keystroke in
 * its filter box (time to the list updated).
 *
 * The worker exposes no way to add chains, so the store goes in the way a worker restart puts
 * it back: `recorder.restore(chains)` on the worker's RecordingSession, reached through the
 * closure of `globalThis.hopscope` with the DevTools protocol (Runtime.getProperties →
 * [[Scopes]]). Nothing in the extension is changed for the bench. restore() does not apply the
 * caps (they apply on the next write batch, which nothing triggers while the panel is measured),
 * so the panel sees the whole store.
 */
import type { Page } from 'playwright-core';
import type { AnalyzedChain as Chain } from '../src/core/analyze/index.ts';
import type { WorkerSession } from './worker-cdp.ts';

interface RemoteObject {
  objectId?: string;
  type: string;
}
interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}

/** The RecordingSession object inside the worker (its objectId), found through closures. */
async function findSession(w: WorkerSession): Promise<string> {
  const api = await w.send<{ result: RemoteObject }>('Runtime.evaluate', { expression: 'globalThis.hopscope' });
  if (!api.result.objectId) throw new Error('globalThis.hopscope is missing in the worker');
  const methods = await w.send<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
    objectId: api.result.objectId,
    ownProperties: true,
  });
  const isSession =
    'function() { return !!(this && this.recorder && typeof this.recorder.restore === "function" && typeof this.flush === "function"); }';
  for (const method of methods.result) {
    if (!method.value?.objectId || method.value.type !== 'function') continue;
    const fn = await w.send<{ internalProperties?: PropertyDescriptor[] }>('Runtime.getProperties', {
      objectId: method.value.objectId,
      ownProperties: true,
    });
    const scopes = fn.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (!scopes) continue;
    const list = await w.send<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
      objectId: scopes,
      ownProperties: true,
    });
    for (const scope of list.result) {
      if (!scope.value?.objectId) continue;
      const vars = await w.send<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
        objectId: scope.value.objectId,
        ownProperties: true,
      });
      for (const v of vars.result) {
        if (v.value?.type !== 'object' || !v.value.objectId) continue;
        const r = await w.send<{ result: { value?: boolean } }>('Runtime.callFunctionOn', {
          objectId: v.value.objectId,
          functionDeclaration: isSession,
          returnByValue: true,
        });
        if (r.result.value) return v.value.objectId;
      }
    }
  }
  throw new Error('could not find the recording session in the worker (closure of globalThis.hopscope)');
}

/** Puts `chains` into the worker's recorder; returns how many chains it then holds. */
export async function injectStore(w: WorkerSession, chains: readonly Chain[]): Promise<number> {
  const session = await findSession(w);
  let held = 0;
  for (let i = 0; i < chains.length; i += 500) {
    const r = await w.send<{ result: { value?: number }; exceptionDetails?: unknown }>('Runtime.callFunctionOn', {
      objectId: session,
      functionDeclaration: 'function(chunk) { this.recorder.restore(chunk); return this.recorder.list().length; }',
      arguments: [{ value: chains.slice(i, i + 500) }],
      returnByValue: true,
    });
    if (r.exceptionDetails) throw new Error(`restore failed: ${JSON.stringify(r.exceptionDetails)}`);
    held = r.result.value ?? 0;
  }
  await w.send('Runtime.releaseObjectGroup', { objectGroup: '' }).catch(() => undefined);
  return held;
}

interface Probe {
  __firstRow?: number;
  __filterDone?: number;
}

/**
 * Installed before the panel's scripts: records (ms since navigation start) when the first
 * chain row, once in the DOM, has been painted (the next frame).
 */
const PAINT_PROBE = `(() => {
  const mark = () => {
    if (window.__firstRow !== undefined) return true;
    if (!document.querySelector('[data-testid=chain-row]')) return false;
    requestAnimationFrame(() => setTimeout(() => { window.__firstRow = performance.now(); }, 0));
    return true;
  };
  const observer = new MutationObserver(() => { if (mark()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** Opens the panel page on `tabId`; ms from navigation start to the first row painted. */
export async function measurePanelOpen(page: Page, extensionId: string, tabId: number): Promise<number> {
  await page.addInitScript({ content: PAINT_PROBE });
  await page.goto(`chrome-extension://${extensionId}/extension/panel.html?tabId=${tabId}`);
  // Function predicates: the panel's CSP forbids eval of strings.
  await page.waitForFunction(() => (window as unknown as Probe).__firstRow !== undefined, undefined, {
    timeout: 60_000,
    polling: 20,
  });
  return page.evaluate(() => (window as unknown as Probe).__firstRow as number);
}

/**
 * One keystroke in the filter box: ms from the keydown event to the list updated (the status
 * bar reports the filtered count) and the next frame painted.
 */
export async function measureFilterKeystroke(page: Page, key: string): Promise<number> {
  const box = page.getByLabel('Filter chains');
  await box.fill('');
  await page.waitForFunction(
    () => !/match the filter/.test(document.querySelector('footer.statusbar')?.textContent ?? ''),
    undefined,
    { timeout: 30_000 },
  );
  await box.focus();
  await page.evaluate(`(() => {
    window.__filterDone = undefined;
    const footer = document.querySelector('footer.statusbar');
    const before = footer.textContent;
    addEventListener('keydown', (e) => {
      const start = e.timeStamp;
      const observer = new MutationObserver(() => {
        if (footer.textContent === before || !/match the filter/.test(footer.textContent)) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => { window.__filterDone = performance.now() - start; }, 0));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    }, { capture: true, once: true });
  })()`);
  await page.keyboard.press(key);
  await page.waitForFunction(() => (window as unknown as Probe).__filterDone !== undefined, undefined, {
    timeout: 60_000,
    polling: 20,
  });
  return page.evaluate(() => (window as unknown as Probe).__filterDone as number);
}

/**
 * Imports a HAR file into an open panel page (its Import button's file input): ms from the
 * import parsed (the panel's `hopscope:har-parsed` mark, right after importHar) to the first
 * imported row painted (the next frame after it is in the DOM), and the whole import.
 */
export async function measureImport(
  page: Page,
  harPath: string,
  name: string,
  chains: number,
): Promise<{ rows: number; total: number }> {
  await page.evaluate(`(() => {
    window.__imported = undefined;
    performance.clearMarks('hopscope:har-parsed');
    const started = performance.now();
    const observer = new MutationObserver(() => {
      const status = document.querySelector('.imported');
      if (!status || !status.textContent.includes(${JSON.stringify(name)})) return;
      if (!document.querySelector('[data-testid=chain-row]')) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => {
        const parsed = performance.getEntriesByName('hopscope:har-parsed')[0];
        const now = performance.now();
        window.__imported = { rows: parsed ? now - parsed.startTime : -1, total: now - started };
      }, 0));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  })()`);
  await page.locator('input[type=file]').setInputFiles(harPath);
  await page.waitForFunction(
    () => (window as unknown as { __imported?: unknown }).__imported !== undefined,
    undefined,
    {
      timeout: 180_000,
      polling: 50,
    },
  );
  const result = (await page.evaluate('window.__imported')) as { rows: number; total: number };
  if (result.rows < 0) throw new Error('the panel did not mark the end of parsing (hopscope:har-parsed)');
  // The older chains are analyzed after the first paint: the figure is taken once all are listed.
  await page.waitForFunction(
    (n) => (document.querySelector('footer.statusbar')?.textContent ?? '').includes(` of ${n} `),
    chains,
    { timeout: 180_000, polling: 100 },
  );
  return result;
}
