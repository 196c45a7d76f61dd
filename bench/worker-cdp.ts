/**
 * CDP on the extension's service worker, and CPU time of its thread.
 *
 * Playwright opens CDP sessions on pages only, so the worker is reached from a page session
 * through Target.attachToTarget (non-flat) and Target.sendMessageToTarget. CPU time comes from
 * the kernel: /proc/PID/task/TID/schedstat of the "ServiceWorker thread" in the extension's
 * renderer process, a descendant of this Node process (Playwright spawns the browser).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface WorkerSession {
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  detach(): Promise<void>;
}

export async function attachToWorker(context: BrowserContext, extensionId: string): Promise<WorkerSession> {
  const page: Page = context.pages()[0] ?? (await context.newPage());
  const cdp: CDPSession = await context.newCDPSession(page);
  const { targetInfos } = (await cdp.send('Target.getTargets')) as {
    targetInfos: Array<{ targetId: string; type: string; url: string }>;
  };
  const target = targetInfos.find(
    (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`),
  );
  if (!target) throw new Error('the extension service worker is not running');
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as {
    sessionId: string;
  };
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  cdp.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return;
    const msg = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(msg.error.message));
    else waiter.resolve(msg.result);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((error: Error) => {
          pending.delete(id);
          reject(error);
        });
    });
  return {
    send,
    async detach() {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      await cdp.detach().catch(() => undefined);
    },
  };
}

/** JS heap in use in the worker, in bytes, after a full GC. */
export async function workerHeap(w: WorkerSession): Promise<number> {
  await w.send('HeapProfiler.enable');
  await w.send('HeapProfiler.collectGarbage');
  await w.send('HeapProfiler.disable');
  const { usedSize } = await w.send<{ usedSize: number }>('Runtime.getHeapUsage');
  return usedSize;
}

// ---------------------------------------------------------------------------------------------
// CPU time from /proc

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parentOf(pid: string): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name is in parentheses and may contain spaces: fields start after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
}

/** Process ids below `root` in the process tree. */
function descendants(root: string): string[] {
  const children = new Map<string, string[]>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const ppid = parentOf(pid);
    if (!ppid) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: string[] = [];
  const walk = (pid: string) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

export interface ThreadRef {
  pid: string;
  tid: string;
}

/** The "ServiceWorker thread" of the extension renderer started by this Node process. */
export function findWorkerThread(): ThreadRef | undefined {
  for (const pid of descendants(String(process.pid))) {
    const cmd = readText(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ') ?? '';
    if (!cmd.includes('--type=renderer') || !cmd.includes('--extension-process')) continue;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      if (readText(`/proc/${pid}/task/${tid}/comm`)?.trim().startsWith('ServiceWorker')) return { pid, tid };
    }
  }
  return undefined;
}

/** Nanoseconds the thread has run on a CPU (schedstat: exact, not tick-sampled). */
export function threadCpuNs(t: ThreadRef): number {
  const text = readText(`/proc/${t.pid}/task/${t.tid}/schedstat`);
  if (!text) throw new Error(`thread ${t.pid}/${t.tid} is gone`);
  return Number(text.split(' ')[0]);
}

/** Nanoseconds every process this one started (the browser and all its children) has run. */
export function childrenCpuNs(): number {
  let total = 0;
  for (const pid of descendants(String(process.pid))) {
    try {
      total += processCpuNs(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** Nanoseconds all threads of a process have run (sum of its threads' schedstat). */
export function processCpuNs(pid: string): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const text = readText(`/proc/${pid}/task/${tid}/schedstat`);
    if (text) total += Number(text.split(' ')[0]);
  }
  return total;
}
