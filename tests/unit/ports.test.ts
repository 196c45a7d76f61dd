/**
 * The worker's side of the panel protocol, with a fake port: only the extension's own pages
 * may subscribe; a big store arrives newest first, in chunks, each chain once; bad messages
 * get an error back instead of an answer.
 */
import { describe, expect, it, vi } from 'vitest';
import { PortHub } from '../../src/background/ports.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { PORT_NAME, PROTOCOL_VERSION, type WorkerMessage } from '../../src/shared/protocol.ts';
import { feed, redirectedRequest } from './helpers.ts';

const OWN = 'chrome-extension://abc';

function fakePort(senderUrl = `${OWN}/extension/panel.html`, id = 'abc') {
  const sent: WorkerMessage[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  const port = {
    name: PORT_NAME,
    sender: { id, url: senderUrl },
    postMessage: (m: WorkerMessage) => sent.push(structuredClone(m)),
    disconnect: vi.fn(),
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => undefined },
  };
  const send = (m: unknown) => {
    for (const fn of listeners) fn(m);
  };
  return { port, sent, send };
}

function hubWith(n: number) {
  const recorder = new Recorder();
  for (let i = 0; i < n; i++) feed(recorder, redirectedRequest(`r${i}`, i));
  const hub = new PortHub({ recorder, ready: Promise.resolve(), ownOrigin: OWN, extensionId: 'abc', onClear: vi.fn() });
  return { recorder, hub };
}

describe('PortHub', () => {
  it('sends a big store newest first, in chunks, every chain once', async () => {
    const { hub } = hubWith(2500);
    const { port, sent, send } = fakePort();
    hub.accept(port as never);
    send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId: null });
    await vi.waitFor(() => expect(sent.flatMap((m) => ('chains' in m ? m.chains : []))).toHaveLength(2500));
    const [snapshot] = sent;
    expect(snapshot?.type).toBe('hopscope/snapshot');
    const firstIds = snapshot && 'chains' in snapshot ? snapshot.chains.map((c) => c.id) : [];
    expect(firstIds).toHaveLength(300);
    expect(firstIds.at(-1)).toBe('r2499');
    const all = sent.flatMap((m) => ('chains' in m ? m.chains.map((c) => c.id) : []));
    expect(new Set(all).size).toBe(2500);
    expect(sent.slice(1).every((m) => m.type === 'hopscope/update')).toBe(true);
  });

  it('refuses pages of other extensions or the web', () => {
    const { hub } = hubWith(1);
    const web = fakePort('https://evil.test/', 'abc');
    hub.accept(web.port as never);
    expect(web.port.disconnect).toHaveBeenCalled();
    const other = fakePort('chrome-extension://other/x.html', 'other');
    hub.accept(other.port as never);
    expect(other.port.disconnect).toHaveBeenCalled();
  });

  it('answers a malformed or outdated message with an error, not data', async () => {
    const { hub } = hubWith(3);
    const { port, sent, send } = fakePort();
    hub.accept(port as never);
    send({ type: 'hopscope/subscribe', version: 'x', tabId: 'all' });
    send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION + 1, tabId: null });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent.map((m) => m.type)).toEqual(['hopscope/error', 'hopscope/error']);
    expect(sent.some((m) => 'chains' in m)).toBe(false);
  });
});
