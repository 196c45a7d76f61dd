/**
 * The HAR figures of `npm run bench` alone, for working on them: `npx tsx bench/har-only.ts`.
 * The same store and the same round as bench/run.ts `har()` (bench/har-round.ts), so only the
 * ratios are compared. Environment: HAR_CHAINS (default 10000), HAR_RUNS (default 5), HAR_PART
 * (`export`, `import` or both).
 */
import { chainsToHar } from '../src/core/har/export.ts';
import { harRound, stepTimer } from './har-round.ts';
import { median } from './report.ts';
import { buildStore } from './synthetic.ts';

const CHAINS = Number(process.env.HAR_CHAINS ?? 10_000);
const RUNS = Number(process.env.HAR_RUNS ?? 5);
const PART = process.env.HAR_PART ?? '';

const fmt = (xs: number[]): string =>
  `×${median(xs).toFixed(2)} (×${Math.min(...xs).toFixed(2)} – ×${Math.max(...xs).toFixed(2)})`;

const chains = buildStore(CHAINS, 5);
const object = chainsToHar(chains, { includeSensitive: false });
const time = stepTimer();
const ratios = { export: [] as number[], exportCpu: [] as number[], import: [] as number[], importCpu: [] as number[] };
let bytes = 0;
for (let run = 0; run < RUNS; run++) {
  const r = harRound(time, chains, object, { export: PART !== 'import', import: PART !== 'export' });
  bytes = r.chars ?? bytes;
  if (r.export && r.stringify) {
    ratios.export.push(r.export.ms / r.stringify.ms);
    ratios.exportCpu.push(r.export.cpuMs / r.stringify.cpuMs);
    console.log(
      `export ${r.export.ms.toFixed(0)} ms (CPU ${r.export.cpuMs.toFixed(0)}), stringify ${r.stringify.ms.toFixed(0)} ms (CPU ${r.stringify.cpuMs.toFixed(0)})`,
    );
  }
  if (r.import && r.parse) {
    ratios.import.push(r.import.ms / r.parse.ms);
    ratios.importCpu.push(r.import.cpuMs / r.parse.cpuMs);
    console.log(
      `import ${r.import.ms.toFixed(0)} ms (CPU ${r.import.cpuMs.toFixed(0)}), parse ${r.parse.ms.toFixed(0)} ms (CPU ${r.parse.cpuMs.toFixed(0)})`,
    );
  }
}
console.log(`${CHAINS} chains, ${RUNS} runs, ${(bytes / 1e6).toFixed(0)} MB`);
if (ratios.export.length) console.log(`export ÷ stringify: ${fmt(ratios.export)}; CPU ${fmt(ratios.exportCpu)}`);
if (ratios.import.length) console.log(`import ÷ parse: ${fmt(ratios.import)}; CPU ${fmt(ratios.importCpu)}`);
