/**
 * Which listener set to keep (issue 16: "choose the listener set with the bench"): the heavy
 * page's load event with candidate webRequest registrations, each in an extension whose worker
 * registers it with listeners that do nothing, against the same Chromium without extensions, in
 * rotating order, a fresh profile each run. The first candidates are the floor itself (built from
 * src/background/listeners.ts: pages and frames, as the worker listens with no panel open) and
 * the watched floor (the subresource listeners added, as while a panel watches); the others are
 * the watched registration with one part taken away, written out in plain JavaScript here, so
 * each line of the README's listener table has a measured price. Run by name only:
 * BENCH_ONLY='listener variants' (~8 configurations × rounds).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import manifest from '../manifest.json' with { type: 'json' };
import { launchWithExtension } from '../src/cli/browser.ts';
import { buildFloor } from './floor.ts';
import type { HeavyServer } from './heavy-server.ts';
import { launchPlain, loadHeavy, log } from './page-load.ts';
import { type Result, summarize } from './report.ts';
import { childrenCpuNs } from './worker-cdp.ts';

/** The watched registration of listeners.ts, in plain JavaScript, with the parts a variant drops. */
interface Drop {
  /** onBeforeRequest for pages and frames only. */
  subresourceStarts?: boolean;
  /** No 'extraHeaders' anywhere. */
  extraHeaders?: boolean;
  /** No 'extraHeaders' on the redirects of subresources (their Set-Cookie unseen). */
  subresourceRedirectExtra?: boolean;
  /** The end of a subresource without its response headers. */
  subresourceEndHeaders?: boolean;
  /** Pages and frames only: no subresource chains at all. */
  subresources?: boolean;
}

function workerSource(drop: Drop): string {
  return `
const wr = chrome.webRequest;
const f = () => {};
const urls = ['http://*/*', 'https://*/*'];
const frameTypes = ['main_frame', 'sub_frame'];
const every = ${drop.subresources ? '{ urls, types: frameTypes }' : '{ urls }'};
const frames = { urls, types: frameTypes };
const others = { urls, types: Object.values(wr.ResourceType).filter((t) => !frameTypes.includes(t)) };
const extra = ${drop.extraHeaders ? '[]' : "['extraHeaders']"};
wr.onBeforeRequest.addListener(f, ${drop.subresourceStarts ? 'frames' : 'every'});
wr.onBeforeSendHeaders.addListener(f, frames, ['requestHeaders', ...extra]);
wr.onHeadersReceived.addListener(f, frames, ['responseHeaders', ...extra]);
${
  drop.subresourceRedirectExtra
    ? "wr.onBeforeRedirect.addListener(f, frames, ['responseHeaders', ...extra]);\nwr.onBeforeRedirect.addListener(f, others, ['responseHeaders']);"
    : "wr.onBeforeRedirect.addListener(f, every, ['responseHeaders', ...extra]);"
}
wr.onCompleted.addListener(f, frames, ['responseHeaders', ...extra]);
${drop.subresources ? '' : `wr.onCompleted.addListener(f, others${drop.subresourceEndHeaders ? '' : ", ['responseHeaders']"});`}
wr.onErrorOccurred.addListener(f, every);
chrome.webNavigation.onBeforeNavigate.addListener((d) => {}, { url: [{ schemes: ['http', 'https'] }] });
chrome.webNavigation.onCommitted.addListener((d) => {}, { url: [{ schemes: ['http', 'https'] }] });
`;
}

async function variantExtension(name: string, source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hopscope-bench-variant-${name}-`));
  await writeFile(join(dir, 'worker.js'), source);
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      manifest_version: 3,
      name: `Hopscope listener variant ${name} (bench)`,
      version: manifest.version,
      background: { service_worker: 'worker.js' },
      permissions: manifest.permissions,
      host_permissions: manifest.host_permissions,
    }),
  );
  return dir;
}

export async function listenerVariants(browserPath: string, server: HeavyServer, rounds: number): Promise<Result[]> {
  const configs: Array<[string, string | undefined]> = [
    ['none', undefined],
    ['floor (the worker’s registration: pages and frames)', await buildFloor()],
    ['watched floor (+ subresources, while a panel watches)', await buildFloor({ watched: true })],
    [
      'without onBeforeRequest for subresources',
      await variantExtension('starts', workerSource({ subresourceStarts: true })),
    ],
    ['without extraHeaders', await variantExtension('extra', workerSource({ extraHeaders: true }))],
    [
      'without extraHeaders on subresource redirects',
      await variantExtension('redirect-extra', workerSource({ subresourceRedirectExtra: true })),
    ],
    [
      'subresource ends without headers',
      await variantExtension('end-headers', workerSource({ subresourceEndHeaders: true })),
    ],
    [
      'pages and frames only, written out (the floor, cross-check)',
      await variantExtension('frames', workerSource({ subresources: true })),
    ],
    ['permissions, no listeners', await variantExtension('empty', '')],
  ];
  const loads = new Map<string, number[]>(configs.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(configs.map(([name]) => [name, []]));
  const cpu = new Map<string, number[]>(configs.map(([name]) => [name, []]));
  const cpuRatios = new Map<string, number[]>(configs.map(([name]) => [name, []]));
  /** The load event, and the CPU time of every browser process while the page loaded (ms). */
  const measure = async (context: Parameters<typeof loadHeavy>[0], run: string) => {
    const before = childrenCpuNs();
    const load = await loadHeavy(context, server, run);
    return { load, cpu: (childrenCpuNs() - before) / 1e6 };
  };
  for (let round = 0; round < rounds; round++) {
    const order = [...configs];
    for (let i = 0; i < round % order.length; i++) order.push(order.shift() as [string, string | undefined]);
    const got = new Map<string, number>();
    const gotCpu = new Map<string, number>();
    for (const [name, dir] of order) {
      if (!dir) {
        const plain = await launchPlain(browserPath);
        try {
          const m = await measure(plain.context, `v${round}n`);
          got.set(name, m.load);
          gotCpu.set(name, m.cpu);
        } finally {
          await plain.close();
        }
      } else {
        const b = await launchWithExtension({ browserPath, extensionPath: dir });
        try {
          const m = await measure(b.context, `v${round}${got.size}`);
          got.set(name, m.load);
          gotCpu.set(name, m.cpu);
        } finally {
          await b.close();
        }
      }
    }
    const none = got.get('none') as number;
    for (const [name] of configs) {
      loads.get(name)?.push(got.get(name) as number);
      ratios.get(name)?.push((got.get(name) as number) / none);
      cpu.get(name)?.push(gotCpu.get(name) as number);
      cpuRatios.get(name)?.push((gotCpu.get(name) as number) / (gotCpu.get('none') as number));
    }
    log(
      `listener variants round ${round + 1}/${rounds}: ${configs.map(([n]) => `${n} ${got.get(n)?.toFixed(0)} ms (CPU ${gotCpu.get(n)?.toFixed(0)} ms)`).join(', ')}`,
    );
  }
  const variants = configs.filter(([name]) => name !== 'none').map(([name]) => name);
  return [
    ...variants.map((name) =>
      summarize(`listener variant ÷ no extension, load event: ${name}`, ratios.get(name) ?? [], '×', null),
    ),
    ...variants.map((name) =>
      summarize(`listener variant ÷ no extension, browser CPU: ${name}`, cpuRatios.get(name) ?? [], '×', null),
    ),
    summarize('  load event, no extension', loads.get('none') ?? [], 'ms', null),
    summarize('  browser CPU during the load, no extension', cpu.get('none') ?? [], 'ms', null),
  ];
}
