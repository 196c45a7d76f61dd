/**
 * The toolbar badge: for each tab, how many redirects led to the page it shows, coloured by the
 * most notable kind (internal/HSTS, then client-side, then server), with the journey in the
 * tooltip, one line per hop, each hop's errors and warnings at the end of its line. Badge state
 * is per tab in the browser, so it survives worker restarts and tab switches by itself.
 */

import { analyze } from '../core/analyze/index.ts';
import type { Chain } from '../core/model/chain.ts';
import {
  findingCountLabel,
  kindLabel,
  PROBLEM_SEVERITIES,
  SEVERITY_LABELS,
  statusLabel,
} from '../core/present/labels.ts';
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';

export const BADGE_COLORS = {
  internal: '#7b1fa2',
  client: '#e37400',
  server: '#1a73e8',
} as const;

export interface BadgeState {
  text: string;
  color: string;
  title: string;
}

export function badgeFor(facts: Chain | undefined): BadgeState {
  const chain = facts && analyze(facts);
  const redirects = chain?.summary.redirects ?? 0;
  if (!chain || redirects === 0) return { text: '', color: BADGE_COLORS.server, title: 'Hopscope: no redirects' };
  const kinds = new Set(chain.hops.filter((h) => h.redirectUrl).map((h) => h.kind));
  const color = kinds.has('internal')
    ? BADGE_COLORS.internal
    : kinds.has('client')
      ? BADGE_COLORS.client
      : BADGE_COLORS.server;
  const problems = chain.findings.filter((f) => PROBLEM_SEVERITIES.includes(f.severity));
  const lines = chain.hops.map((h) => {
    const kind = h.kind === 'server' ? '' : ` [${kindLabel(h)}]`;
    // The hop's errors and warnings, most severe first (as findings are sorted).
    const found = problems
      .filter((f) => f.hop === h.index)
      .map((f) => ` [${SEVERITY_LABELS[f.severity]}: ${f.rule}]`)
      .join('');
    return `${statusLabel(h)} ${printable(h.url)}${kind}${found}`;
  });
  const counted = findingCountLabel(chain.findings);
  const title = `Hopscope: ${plural(redirects, 'redirect')}${counted ? ` · ${counted}` : ''}\n${lines.join('\n')}`;
  return { text: String(redirects), color, title: title.length > 1024 ? `${title.slice(0, 1023)}…` : title };
}

export interface ActionLike {
  setBadgeText(details: { tabId: number; text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
  setTitle(details: { tabId: number; title: string }): Promise<void>;
}

/** Sets a tab's badge at most once per interval, after the recorder changed its journey. */
export class BadgeUpdater {
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly shown = new Map<number, string>();

  constructor(
    private readonly action: ActionLike,
    private readonly current: (tabId: number) => Chain | undefined,
    private readonly intervalMs = 100,
  ) {}

  schedule(tabId: number): void {
    if (tabId < 0 || this.timers.has(tabId)) return;
    this.timers.set(
      tabId,
      setTimeout(() => {
        this.timers.delete(tabId);
        void this.apply(tabId);
      }, this.intervalMs),
    );
  }

  /**
   * A page committed in the tab: Chromium has reset the tab's badge (values set for a tab last
   * until its next main-frame navigation), whatever this updater last set, so set it again.
   */
  committed(tabId: number): void {
    this.shown.delete(tabId);
    this.schedule(tabId);
  }

  /** After chains were removed: look again at every tab that shows a badge. */
  scheduleShown(): void {
    for (const tabId of this.shown.keys()) this.schedule(tabId);
  }

  private async apply(tabId: number): Promise<void> {
    const state = badgeFor(this.current(tabId));
    const key = `${state.text}|${state.color}|${state.title}`;
    if (this.shown.get(tabId) === key) return;
    this.shown.set(tabId, key);
    try {
      await this.action.setBadgeText({ tabId, text: state.text });
      await this.action.setBadgeBackgroundColor({ tabId, color: state.color });
      await this.action.setTitle({ tabId, title: state.title });
    } catch {
      // The tab closed in the meantime.
      this.shown.delete(tabId);
    }
  }
}
