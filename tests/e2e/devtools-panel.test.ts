/**
 * Smoke test of the REAL DevTools "Redirects" panel: Chromium opens DevTools for the tab
 * (`--auto-open-devtools-for-tabs`), raw CDP on the DevTools frontend shows the extension's
 * panel, and the panel page (its own iframe target) must list the chain the tab just followed.
 *
 * TIED TO THE CHROMIUM VERSION (written against Chromium 150): it drives DevTools frontend
 * internals (module paths, ViewManager, the extension view id), which change between versions.
 * When it breaks after a browser upgrade while the panel-as-a-tab tests still pass, look at
 * tests/support/devtools-cdp.ts first. Each step names itself in its failure message.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionBrowser, launchWithExtension } from '../../src/cli/browser.ts';
import { browserArgsFor, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';
import {
  attachWhenListed,
  extensionPanelViewId,
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

describe('DevTools Redirects panel [tied to Chromium 150 DevTools internals]', () => {
  it('shows the chain the inspected tab followed, in the real DevTools panel (Chromium-version-specific)', async () => {
    if (!browser || !server || !cdp) throw new Error('setup did not finish');
    const { extensionId } = browser;
    const pages = browser.context.pages();
    expect(pages.length, 'setup: expected the one tab DevTools auto-opened for').toBe(1);
    const inspected = pages[0] as Page;

    // Step 1: the DevTools window of that tab.
    const frontend = await attachWhenListed(cdp, 'step 1: devtools target not found', STEP_TIMEOUT, (t) =>
      t.url.startsWith('devtools://devtools/'),
    );
    sessions.push(frontend);

    // Step 2: show the extension's panel, which loads the panel page in an iframe.
    const viewId = extensionPanelViewId(extensionId, PANEL_TITLE);
    await showDevToolsView(frontend, viewId, STEP_TIMEOUT).catch((error: Error) => {
      throw new Error(`step 2: panel not shown: ${error.message}`);
    });
    const panelUrl = `chrome-extension://${extensionId}/${PANEL_PATH}`;
    const panel = await attachWhenListed(
      cdp,
      `step 2: panel not shown (no ${panelUrl} target)`,
      STEP_TIMEOUT,
      (t) => t.type === 'iframe' && t.url.split(/[?#]/)[0] === panelUrl,
    );
    sessions.push(panel);

    // Step 3: navigate only now, with the panel open, so this chain is the tab's last navigation.
    const start = `${server.origin()}/chain/start`;
    await inspected.goto(start);
    expect(new URL(inspected.url()).pathname, 'the scenario chain did not reach its final page').toBe('/chain/final');
    const rowText = await waitFor(`step 3: chain not found in the panel (${start})`, STEP_TIMEOUT, async () => {
      const texts = await panel.evaluate<string[]>(
        `[...document.querySelectorAll('[data-testid="chain-row"]')].map((row) => row.innerText)`,
      );
      const hit = texts.find((t) => t.includes(start));
      if (hit) return hit;
      const body = await panel.evaluate<string>('document.body.innerText');
      throw new Error(`${texts.length} chain rows; panel text: ${JSON.stringify(body.slice(0, 300))}`);
    });
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
