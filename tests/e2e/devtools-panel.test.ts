/**
 * Smoke test of the REAL DevTools "Redirects" panel: Chromium opens DevTools for the tab
 * (`--auto-open-devtools-for-tabs`), raw CDP on the DevTools frontend shows the extension's
 * panel, and the panel page (its own iframe target) must list the chain the tab just followed.
 *
 * TIED TO THE CHROMIUM VERSION (written against Chromium 150, passes on 156): it drives DevTools
 * frontend internals (module paths, ViewManager, the extension view id), which change between
 * versions. The suite runs on whichever Chromium apt installs, so the test first checks that
 * this browser has what it drives and SKIPS, with the reason in its note and on the console,
 * when it does not: no DevTools target, a frontend without those modules, a panel page that is
 * not a target of its own. Once they are there, a missing panel or chain is a failure. Each step
 * names itself in its message; tests/support/devtools-cdp.ts lists what it relies on.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionBrowser, launchWithExtension } from '../../src/cli/browser.ts';
import { browserArgsFor, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';
import {
  attachWhenListed,
  findExtensionPanelView,
  frontendInternalsProblem,
  showDevToolsView,
  type TargetSession,
  waitFor,
} from '../support/devtools-cdp.ts';

const PANEL_TITLE = 'Redirects'; // src/devtools/index.ts
const PANEL_PATH = 'extension/panel.html';
const STEP_TIMEOUT = 8_000;

let server: ScenarioServer | undefined;
let browser: ExtensionBrowser | undefined;
let cdp: CDPSession | undefined;
const sessions: TargetSession[] = [];

beforeAll(async () => {
  server = await startScenarioServer();
  browser = await launchWithExtension({ args: [...browserArgsFor(server), '--auto-open-devtools-for-tabs'] });
  // Playwright's persistent context still has a Browser: its browser-level CDP session lists
  // the DevTools targets that Playwright itself does not model.
  const owner = browser.context.browser();
  if (!owner) throw new Error('setup: the persistent context has no Browser to open a browser CDP session on');
  cdp = await owner.newBrowserCDPSession();
});

afterAll(async () => {
  for (const s of sessions) await s.detach().catch(() => undefined);
  await cdp?.detach().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('DevTools Redirects panel [tied to DevTools frontend internals; skips when this Chromium lacks them]', () => {
  it('shows the chain the inspected tab followed, in the real DevTools panel (Chromium-version-specific)', async (ctx) => {
    if (!browser || !server || !cdp) throw new Error('setup did not finish');
    const browserCdp = cdp;
    const { extensionId } = browser;
    const version = `${browser.browser.name} ${browser.browser.version}`;
    /** Skips with the reason, which the reporter shows as the note and the console repeats. */
    const skip = (reason: string): never => {
      const note = `${version}: ${reason}; the DevTools frontend internals this test drives are not there (see tests/support/devtools-cdp.ts)`;
      console.warn(`devtools-panel.test.ts SKIPPED: ${note}`);
      return ctx.skip(note);
    };
    const pages = browser.context.pages();
    expect(pages.length, 'setup: expected the one tab DevTools auto-opened for').toBe(1);
    const inspected = pages[0] as Page;

    // Step 1: the DevTools window of that tab, and the frontend modules this test drives.
    const frontend = await attachWhenListed(cdp, 'no devtools:// target', STEP_TIMEOUT, (t) =>
      t.url.startsWith('devtools://devtools/'),
    ).catch((error: Error) => skip(`--auto-open-devtools-for-tabs gave no DevTools target (${error.message})`));
    sessions.push(frontend);
    const missing = await frontendInternalsProblem(frontend, STEP_TIMEOUT);
    if (missing) skip(`the DevTools frontend has ${missing}`);

    // Step 2: show the extension's panel, which loads the panel page in an iframe. The frontend
    // works as this test expects from here on: a panel that never registers is Hopscope's fault.
    const viewId = await waitFor(`step 2: the Redirects panel was never registered`, STEP_TIMEOUT, () =>
      findExtensionPanelView(frontend, extensionId, PANEL_TITLE),
    );
    await showDevToolsView(frontend, viewId, STEP_TIMEOUT).catch((error: Error) => {
      throw new Error(`step 2: panel not shown: ${error.message}`);
    });
    const panelUrl = `chrome-extension://${extensionId}/${PANEL_PATH}`;
    const isPanel = (t: { url: string }) => t.url.split(/[?#]/)[0] === panelUrl;
    const panel = await attachWhenListed(
      cdp,
      `step 2: panel not shown (no ${panelUrl} iframe target)`,
      STEP_TIMEOUT,
      (t) => t.type === 'iframe' && isPanel(t),
    ).catch(async (error: Error) => {
      // The view is visible; a panel page that is no target of its own is this version's frontend.
      const { targetInfos } = await browserCdp.send('Target.getTargets');
      if (!targetInfos.some(isPanel)) return skip(`the shown panel's page is not a CDP target of its own`);
      throw error;
    });
    sessions.push(panel);

    // Step 3: navigate only now, with the panel open, so this chain is the tab's last navigation.
    const start = `${server.origin()}/chain/start`;
    await inspected.goto(start);
    expect(new URL(inspected.url()).pathname, 'the scenario chain did not reach its final page').toBe('/chain/final');
    const rowText = await waitFor(
      `step 3: the chain's row not shown, or not to its end (${start})`,
      STEP_TIMEOUT,
      async () => {
        const texts = await panel.evaluate<string[]>(
          `[...document.querySelectorAll('[data-testid="chain-row"]')].map((row) => row.innerText)`,
        );
        // The row is shown as soon as the chain starts and grows hop by hop: wait for its end.
        const hit = texts.find((t) => t.includes(start) && t.includes('/chain/final'));
        if (hit) return hit;
        const body = await panel.evaluate<string>('document.body.innerText');
        throw new Error(`${texts.length} chain rows; panel text: ${JSON.stringify(body.slice(0, 300))}`);
      },
    );
    expect(rowText).toContain('/chain/final');

    // Step 4: selecting the row shows its six hops (301, 302, 303, 307, 308, 200).
    const hops = await waitFor('step 4: hop table of the chain not shown', STEP_TIMEOUT, async () => {
      const count = await panel.evaluate<number>(`(() => {
        const row = [...document.querySelectorAll('[data-testid="chain-row"]')]
          .find((r) => r.innerText.includes(${JSON.stringify(start)}));
        if (row && row.getAttribute('aria-selected') !== 'true') row.click();
        return document.querySelectorAll('[data-testid="hop-row"]').length;
      })()`);
      if (count === 6) return count;
      throw new Error(`${count} hop rows`);
    });
    expect(hops).toBe(6);
  });
});
