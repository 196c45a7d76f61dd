/**
 * The HAR figures of `npm run bench` alone, for working on them: `npx tsx bench/har-only.ts`.
 * The same store and the same pairs as bench/run.ts `har()` (export against JSON.stringify of
 * its HAR object, import against JSON.parse of its text), each pair measured side by side, so
 * only the ratios are compared. Environment: HAR_CHAINS (default 10000), HAR_RUNS (default 5),
 * HAR_PART (`export`, `import` or both).
 */
import type { AnalyzedChain as Chain } from '../src/core/analyze/index.ts';
import { chainsToHar, harText } from '../src/core/har/export.ts';
import { importHar } from '../src/core/har/import/index.ts';
import { median, nodeGc } from './report.ts';
import { buildStore } from './synthetic.ts';

const CHAINS = Number(process.env.HAR_CHAINS ?? 10_000);
const RUNS = Number(process.env.HAR_RUNS ?? 5);
const PART = process.env.HAR_PART ?? '';

const fmt = (xs: number[]): string =>
  `×${median(xs).toFixed(2)} (×${Math.min(...xs).toFixed(2)} – ×${Math.max(...xs).toFixed(2)})`;

const chains: Chain[] = buildStore(CHAINS, 5);
const object = chainsToHar(chains, { includeSensitive: false });
const text = `${JSON.stringify(object, null, 2)}\n`;
const exportRatio: number[] = [];
const importRatio: number[] = [];
const exportCpu: number[] = [];
const importCpu: number[] = [];
/** CPU time of the process (every thread: the garbage collector's too), in ms. */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// Each step starts on a collected heap: it pays for its own garbage, not for the step before.
const gc = nodeGc();
for (let run = 0; run < RUNS; run++) {
  if (PART !== 'import') {
    gc();
    let t = performance.now();
    let c = cpu();
    const out = harText(chains, { includeSensitive: false });
    out.charCodeAt(out.length >> 1);
    const exportMs = performance.now() - t;
    const exportCpuMs = cpu() - c;
    gc();
    t = performance.now();
    c = cpu();
    const plain = `${JSON.stringify(object, null, 2)}\n`;
    const stringifyMs = performance.now() - t;
    const stringifyCpuMs = cpu() - c;
    if (plain !== out) throw new Error('the export is not JSON.stringify of its HAR object');
    exportRatio.push(exportMs / stringifyMs);
    exportCpu.push(exportCpuMs / stringifyCpuMs);
    console.log(
      `export ${exportMs.toFixed(0)} ms (CPU ${exportCpuMs.toFixed(0)}), stringify ${stringifyMs.toFixed(0)} ms (CPU ${stringifyCpuMs.toFixed(0)})`,
    );
  }
  if (PART !== 'export') {
    gc();
    let t = performance.now();
    let c = cpu();
    JSON.parse(text);
    const parseMs = performance.now() - t;
    const parseCpuMs = cpu() - c;
    gc();
    t = performance.now();
    c = cpu();
    const imported = importHar(text, { source: 'bench.har' });
    const importMs = performance.now() - t;
    const importCpuMs = cpu() - c;
    if (imported.chains.length !== chains.length) throw new Error(`import gave ${imported.chains.length} chains`);
    importRatio.push(importMs / parseMs);
    importCpu.push(importCpuMs / parseCpuMs);
    console.log(
      `import ${importMs.toFixed(0)} ms (CPU ${importCpuMs.toFixed(0)}), parse ${parseMs.toFixed(0)} ms (CPU ${parseCpuMs.toFixed(0)})`,
    );
  }
}
console.log(`${CHAINS} chains, ${RUNS} runs, ${(text.length / 1e6).toFixed(0)} MB`);
if (exportRatio.length) console.log(`export ÷ stringify: ${fmt(exportRatio)}; CPU ${fmt(exportCpu)}`);
if (importRatio.length) console.log(`import ÷ parse: ${fmt(importRatio)}; CPU ${fmt(importCpu)}`);
